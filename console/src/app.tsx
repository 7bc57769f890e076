import { Button, Layout, Menu, Result, Space, Spin, Tag, Typography } from 'antd';
import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { offsetText } from './format.ts';
import { useI18n } from './i18n.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { JourneyPage } from './pages/journey-page.tsx';
import { TaskPage } from './pages/task-page.tsx';
import { TaskListPage } from './pages/task-list.tsx';
import { useSession } from './session.tsx';

// The butler's pages (worklist, task, journey) come with the first load: they are the ones
// reloaded all day. The coordinator's and the dashboard's load when first opened (bench/console.bench.ts).
const EnrolPage = lazy(() => import('./pages/enrol.tsx').then((m) => ({ default: m.EnrolPage })));
const KpiPage = lazy(() => import('./pages/kpi.tsx').then((m) => ({ default: m.KpiPage })));
const ProgramPreviewPage = lazy(() => import('./pages/program-preview.tsx').then((m) => ({ default: m.ProgramPreviewPage })));
const StaffKeysPage = lazy(() => import('./pages/staff-keys.tsx').then((m) => ({ default: m.StaffKeysPage })));
const InboundMessagesPage = lazy(() => import('./pages/inbound-messages.tsx').then((m) => ({ default: m.InboundMessagesPage })));
const ProgramsPage = lazy(() => import('./pages/programs.tsx').then((m) => ({ default: m.ProgramsPage })));

/** The pages, each with the permission it needs (the API's table: api/auth/roles.ts) and the roles it is a menu entry for. */
const PAGES = [
  { path: '/worklist', label: 'navWorklist', permission: 'completeTask', roles: ['butler'] },
  { path: '/inquiries', label: 'navInquiries', permission: 'readInquiry', roles: ['butler', 'coordinator', 'admin'] },
  { path: '/approvals', label: 'navApprovals', permission: 'approve', roles: ['doctor'] },
  { path: '/escalations', label: 'navEscalations', permission: 'readTasks', roles: ['doctor'] },
  { path: '/tasks', label: 'navAllTasks', permission: 'readTasks', roles: ['coordinator', 'ops', 'admin'] },
  { path: '/programs', label: 'navPrograms', permission: 'readPathways', roles: ['coordinator', 'admin', 'doctor'] },
  { path: '/enrol', label: 'navEnrol', permission: 'createEnrollment', roles: ['coordinator', 'admin'] },
  { path: '/kpi', label: 'navKpi', permission: 'readReports', roles: ['coordinator', 'ops', 'admin'] },
  { path: '/inbound', label: 'navInbound', permission: 'readUnattachedMessages', roles: ['coordinator', 'admin'] },
  { path: '/keys', label: 'navKeys', permission: 'manageClients', roles: ['admin'] },
] as const;

/** Where each role starts its day. */
const HOME: Record<string, string> = { butler: '/worklist', doctor: '/approvals', coordinator: '/programs', ops: '/tasks', admin: '/keys' };

/** A page behind its permission: the same check as its API routes, shown before they refuse. */
function Guarded({ permission, children }: { permission: string; children: ReactNode }) {
  const { can } = useSession();
  const { t } = useI18n();
  return can(permission) ? children : <Result status="403" title="403" subTitle={t('forbidden')} />;
}

export function App() {
  const { session, signOut } = useSession();
  const { t, toggle } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  if (session === undefined) return <Spin fullscreen />;
  if (session === null) return <SignInPage />;
  const menu = PAGES.filter((p) => (p.roles as readonly string[]).includes(session.role) && session.permissions.includes(p.permission));
  const selected = menu.find((p) => location.pathname.startsWith(p.path))?.path;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider breakpoint="lg" collapsedWidth={0} theme="light" width={200}>
        <Typography.Title level={5} style={{ padding: '16px 16px 0' }}>
          {t('appName')}
        </Typography.Title>
        <Menu
          mode="inline"
          selectedKeys={selected ? [selected] : []}
          items={menu.map((p) => ({ key: p.path, label: t(p.label) }))}
          onClick={({ key }) => void navigate(key)}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', padding: '0 16px', display: 'flex', justifyContent: 'flex-end', alignItems: 'center' }}>
          <Space wrap>
            <span data-testid="signed-in-as">{session.name}</span>
            <Tag color="green">{t(`role_${session.role}` as 'role_butler')}</Tag>
            <Typography.Text type="secondary" data-testid="time-zone" title={t('timeZoneHint')}>
              {t('timeZone', { z: `${session.timeZone.name} UTC${offsetText(session.timeZone.offsetMinutes)}` })}
            </Typography.Text>
            <Button type="text" onClick={toggle} lang={t('language') === 'English' ? 'en' : 'zh-CN'}>
              {t('language')}
            </Button>
            <Button onClick={() => void signOut().then(() => navigate('/'))}>{t('signOut')}</Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 16 }}>
          <Suspense fallback={<Spin />}>
            <Routes>
              <Route path="/" element={<Navigate to={HOME[session.role] ?? '/programs'} replace />} />
              <Route
                path="/worklist"
                element={
                  <Guarded permission="completeTask">
                    <TaskListPage view="mine" />
                  </Guarded>
                }
              />
              <Route
                path="/inquiries"
                element={
                  <Guarded permission="readInquiry">
                    <TaskListPage view="inquiries" />
                  </Guarded>
                }
              />
              <Route
                path="/approvals"
                element={
                  <Guarded permission="approve">
                    <TaskListPage view="approvals" />
                  </Guarded>
                }
              />
              <Route
                path="/escalations"
                element={
                  <Guarded permission="readTasks">
                    <TaskListPage view="escalations" />
                  </Guarded>
                }
              />
              <Route
                path="/tasks"
                element={
                  <Guarded permission="readTasks">
                    <TaskListPage view="all" />
                  </Guarded>
                }
              />
              <Route
                path="/tasks/:id"
                element={
                  <Guarded permission="readTasks">
                    <TaskPage />
                  </Guarded>
                }
              />
              <Route
                path="/enrollments/:id"
                element={
                  <Guarded permission="readEnrollment">
                    <JourneyPage />
                  </Guarded>
                }
              />
              <Route
                path="/programs"
                element={
                  <Guarded permission="readPathways">
                    <ProgramsPage />
                  </Guarded>
                }
              />
              <Route
                path="/programs/:id"
                element={
                  <Guarded permission="readPathways">
                    <ProgramPreviewPage />
                  </Guarded>
                }
              />
              <Route
                path="/enrol"
                element={
                  <Guarded permission="createEnrollment">
                    <EnrolPage />
                  </Guarded>
                }
              />
              <Route
                path="/kpi"
                element={
                  <Guarded permission="readReports">
                    <KpiPage />
                  </Guarded>
                }
              />
              <Route
                path="/keys"
                element={
                  <Guarded permission="manageClients">
                    <StaffKeysPage />
                  </Guarded>
                }
              />
              <Route
                path="/inbound"
                element={
                  <Guarded permission="readUnattachedMessages">
                    <InboundMessagesPage />
                  </Guarded>
                }
              />
              <Route path="*" element={<Result status="404" title="404" subTitle={t('notFound')} />} />
            </Routes>
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
