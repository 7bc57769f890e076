import { DatePicker, type DatePickerProps } from 'antd';

/**
 * A date or date-time picker for times in the hospital's zone: without the "Now" / "Today"
 * button (`showNow`, which antd 6 uses for both), which would pick the browser's clock.
 */
export function HospitalDatePicker(props: DatePickerProps) {
  return <DatePicker {...props} showNow={false} />;
}
