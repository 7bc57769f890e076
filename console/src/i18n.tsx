// The console's words, zh-CN first with an English toggle (kept in this browser). One table:
// a key missing in English is a type error, not a blank on a page.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

const zh = {
  appName: '全病程管理工作台',
  signIn: '登录',
  signOut: '退出登录',
  signInTitle: '工作人员登录',
  signInHelp: '请输入管理员为您分配的 API 密钥（cpk_ 开头）。登录后本浏览器保持登录一个班次（10 小时）。',
  apiKey: 'API 密钥',
  apiKeyRequired: '请输入 API 密钥',
  sessionExpired: '登录已过期，请重新登录',
  language: 'English',
  role_butler: '健康管家',
  role_doctor: '医生',
  role_coordinator: '协调员',
  role_ops: '运维',
  role_integrator: '系统集成',
  role_admin: '管理员',
  navWorklist: '我的任务',
  navInquiries: '患者咨询',
  navApprovals: '待审批',
  navEscalations: '升级处理',
  navPrograms: '服务项目',
  navAllTasks: '全部任务',
  worklistTitle: '我的任务',
  inquiriesTitle: '患者咨询（30 分钟内回复）',
  approvalsTitle: '待审批（个性化报告）',
  escalationsTitle: '升级给医生的事项',
  allTasksTitle: '全部待办任务',
  patient: '患者',
  age: '孕周/周期',
  task: '任务',
  code: '编码',
  kind: '类型',
  time: '时间',
  text: '内容',
  due: '截止时间',
  status: '状态',
  urgent: '紧急',
  overdue: '已超时 {d}',
  dueIn: '剩余 {d}',
  noDue: '无截止时间',
  call: '电话',
  open: '待办',
  done: '已完成',
  cancelled: '已取消',
  refresh: '刷新',
  empty: '暂无待办任务',
  taskTitle: '任务详情',
  program: '服务项目',
  complete: '完成任务',
  completed: '任务已完成',
  completedBy: '完成人',
  completedAt: '完成时间',
  result: '填写内容',
  fieldRequired: '请填写{f}',
  journey: '患者旅程',
  openJourney: '查看患者旅程',
  back: '返回',
  approve: '同意',
  reject: '不同意',
  inquiryQuestion: '患者的问题',
  askedAt: '提问时间',
  reassign: '转派',
  reassignTo: '转派给（管家编号）',
  reassigned: '已转派',
  stage: '当前阶段',
  anchors: '关键日期',
  ahead: '接下来',
  happened: '已发生',
  messages: '已发送的消息',
  planned: '计划',
  skipped: '已跳过',
  recorded: '已记录',
  channel: '渠道',
  sentAt: '发送时间',
  delivery: '送达',
  delivered: '已送达',
  undelivered: '未送达',
  pending: '待发送',
  sent: '已发送',
  handedOver: '已转人工',
  passedOn: '已转其他渠道',
  reason: '原因',
  journeyUnavailable: '暂时无法查询旅程：{r}',
  noMessages: '尚未发送消息',
  consent: '知情同意',
  programsTitle: '服务项目',
  version: '版本',
  preview: '预览',
  forbidden: '您的角色无权访问此页面',
  notFound: '页面不存在',
  loadFailed: '加载失败：{m}',
  field_appointment_at: '预约时间',
  field_place: '地点',
  field_approved: '审批结果',
  field_note: '备注',
  field_reply: '回复内容',
  field_via: '回复方式',
  via_message: '发消息给患者',
  via_phone: '已电话告知',
  'via_in-person': '已当面告知',
  yes: '是',
  no: '否',
  kind_task: '任务',
  kind_approval: '审批',
  kind_escalation: '升级',
  kind_milestone: '节点',
  'kind_inquiry-response': '咨询回复',
  'kind_deliver-message': '代发消息',
  kind_message: '消息',
  kind_questionnaire: '问卷',
  kind_monitor: '监测',
};

type Key = keyof typeof zh;

const en: Record<Key, string> = {
  appName: 'Care pathway console',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signInTitle: 'Staff sign-in',
  signInHelp: 'Enter the API key your administrator gave you (it starts with cpk_). This browser then stays signed in for one shift (10 hours).',
  apiKey: 'API key',
  apiKeyRequired: 'Enter your API key',
  sessionExpired: 'Your session has ended; sign in again',
  language: '中文',
  role_butler: 'Health butler',
  role_doctor: 'Doctor',
  role_coordinator: 'Coordinator',
  role_ops: 'Operations',
  role_integrator: 'Integrator',
  role_admin: 'Administrator',
  navWorklist: 'My tasks',
  navInquiries: 'Inquiries',
  navApprovals: 'Approvals',
  navEscalations: 'Escalations',
  navPrograms: 'Programs',
  navAllTasks: 'All tasks',
  worklistTitle: 'My tasks',
  inquiriesTitle: 'Patient inquiries (answer within 30 minutes)',
  approvalsTitle: 'Approvals (personalised reports)',
  escalationsTitle: 'Escalated to clinicians',
  allTasksTitle: 'All open tasks',
  patient: 'Patient',
  age: 'Week / day',
  task: 'Task',
  code: 'Code',
  kind: 'Type',
  time: 'Time',
  text: 'Text',
  due: 'Due',
  status: 'Status',
  urgent: 'Urgent',
  overdue: 'Overdue {d}',
  dueIn: '{d} left',
  noDue: 'No due time',
  call: 'Call',
  open: 'Open',
  done: 'Done',
  cancelled: 'Cancelled',
  refresh: 'Refresh',
  empty: 'Nothing to do',
  taskTitle: 'Task',
  program: 'Program',
  complete: 'Complete task',
  completed: 'Task completed',
  completedBy: 'Completed by',
  completedAt: 'Completed at',
  result: 'Recorded',
  fieldRequired: '{f} is required',
  journey: 'Patient journey',
  openJourney: 'Open the journey',
  back: 'Back',
  approve: 'Approve',
  reject: 'Do not approve',
  inquiryQuestion: "The patient's question",
  askedAt: 'Asked at',
  reassign: 'Reassign',
  reassignTo: 'Reassign to (butler id)',
  reassigned: 'Reassigned',
  stage: 'Stage',
  anchors: 'Key dates',
  ahead: 'Next',
  happened: 'Happened',
  messages: 'Messages sent',
  planned: 'Planned',
  skipped: 'Skipped',
  recorded: 'Recorded',
  channel: 'Channel',
  sentAt: 'Sent at',
  delivery: 'Delivery',
  delivered: 'Delivered',
  undelivered: 'Not delivered',
  pending: 'Pending',
  sent: 'Sent',
  handedOver: 'Handed to a person',
  passedOn: 'Passed to the next channel',
  reason: 'Reason',
  journeyUnavailable: 'The journey cannot be asked now: {r}',
  noMessages: 'No message sent yet',
  consent: 'Consent',
  programsTitle: 'Programs',
  version: 'Version',
  preview: 'Preview',
  forbidden: 'Your role may not open this page',
  notFound: 'No such page',
  loadFailed: 'Could not load: {m}',
  field_appointment_at: 'Appointment time',
  field_place: 'Place',
  field_approved: 'Decision',
  field_note: 'Note',
  field_reply: 'Reply',
  field_via: 'Answered by',
  via_message: 'Message to the patient',
  via_phone: 'Told on the phone',
  'via_in-person': 'Told in person',
  yes: 'Yes',
  no: 'No',
  kind_task: 'Task',
  kind_approval: 'Approval',
  kind_escalation: 'Escalation',
  kind_milestone: 'Milestone',
  'kind_inquiry-response': 'Inquiry',
  'kind_deliver-message': 'Deliver a message',
  kind_message: 'Message',
  kind_questionnaire: 'Questionnaire',
  kind_monitor: 'Monitoring',
};

export type Lang = 'zh' | 'en';
const tables: Record<Lang, Record<Key, string>> = { zh, en };
const STORAGE_KEY = 'carepath.lang';

export type Translate = (key: Key, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  t: Translate;
  /** A word of an open vocabulary (a field name, a kind): its translation, else the word itself. */
  word: (prefix: string, word: string) => string;
  toggle: () => void;
}

const I18nContext = createContext<I18n | null>(null);

function initialLang(): Lang {
  return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLang] = useState<Lang>(initialLang);
  const toggle = useCallback(() => {
    setLang((current) => {
      const next = current === 'zh' ? 'en' : 'zh';
      localStorage.setItem(STORAGE_KEY, next);
      document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
      return next;
    });
  }, []);
  const value = useMemo<I18n>(() => {
    const table = tables[lang];
    const t: Translate = (key, vars) => table[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? ''));
    const word = (prefix: string, w: string) => (table as Record<string, string>)[`${prefix}_${w}`] ?? w;
    return { lang, t, word, toggle };
  }, [lang, toggle]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}
