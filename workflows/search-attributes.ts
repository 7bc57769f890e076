// Search attributes of a journey: what operators filter on in the Web UI and with
// `temporal workflow list --query`. Pseudonymous values only: never a name, phone or health value.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ProgramKey = defineSearchAttributeKey('CarepathProgram', SearchAttributeType.KEYWORD);
export const PathwayVersionKey = defineSearchAttributeKey('CarepathPathwayVersion', SearchAttributeType.KEYWORD);
export const StageKey = defineSearchAttributeKey('CarepathStage', SearchAttributeType.KEYWORD);
export const StatusKey = defineSearchAttributeKey('CarepathStatus', SearchAttributeType.KEYWORD);
export const ButlerKey = defineSearchAttributeKey('CarepathButler', SearchAttributeType.KEYWORD);
export const TenantKey = defineSearchAttributeKey('CarepathTenant', SearchAttributeType.KEYWORD);
export const PatientRefKey = defineSearchAttributeKey('CarepathPatientRef', SearchAttributeType.KEYWORD);
export const NextActionAtKey = defineSearchAttributeKey('CarepathNextActionAt', SearchAttributeType.DATETIME);
