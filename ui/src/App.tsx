import { Alert, Center, Loader } from '@mantine/core';
import type { User } from 'oidc-client-ts';
import { useEffect, useState } from 'react';
import { Navigate, Route, Routes, useNavigate } from 'react-router';
import { type Access, hasConsole, loadAccess, may, sectionPath, sections } from './access.ts';
import { completeSignIn, signIn, userManager } from './auth.ts';
import { AccessRequests } from './pages/access/AccessRequests.tsx';
import { Assignments } from './pages/access/Assignments.tsx';
import { ConflictRules } from './pages/access/ConflictRules.tsx';
import { Exports } from './pages/access/Exports.tsx';
import { RolePage } from './pages/access/RolePage.tsx';
import { Roles } from './pages/access/Roles.tsx';
import { AlertPage } from './pages/alerts/AlertPage.tsx';
import { AlertsPage } from './pages/alerts/AlertsPage.tsx';
import { ApiKeysPage } from './pages/api-keys/ApiKeysPage.tsx';
import { AuditPage } from './pages/audit/AuditPage.tsx';
import { ClientDetail } from './pages/clients/ClientDetail.tsx';
import { ClientsPage } from './pages/clients/ClientsPage.tsx';
import { CompliancePage } from './pages/compliance/CompliancePage.tsx';
import { DirectoryPage } from './pages/directory/DirectoryPage.tsx';
import { IntegrationsPage } from './pages/integrations/IntegrationsPage.tsx';
import { LifecyclePage } from './pages/lifecycle/LifecyclePage.tsx';
import { NoConsole } from './pages/NoConsole.tsx';
import { Organizations } from './pages/Organizations.tsx';
import { PoliciesPage } from './pages/policies/PoliciesPage.tsx';
import { CampaignPage } from './pages/reviews/CampaignPage.tsx';
import { CampaignsPage } from './pages/reviews/CampaignsPage.tsx';
import { MyReviewsPage } from './pages/reviews/MyReviewsPage.tsx';
import { ApplicationPage } from './pages/sso/ApplicationPage.tsx';
import { ConnectionPage } from './pages/sso/ConnectionPage.tsx';
import { SsoPage } from './pages/sso/SsoPage.tsx';
import { UserDetail } from './pages/users/UserDetail.tsx';
import { Users } from './pages/users/Users.tsx';
import { Shell } from './Shell.tsx';

export function App() {
  return (
    <Routes>
      <Route path="/callback" element={<Callback />} />
      <Route path="*" element={<SignedIn />} />
    </Routes>
  );
}

function Loading({ label }: { label: string }) {
  return (
    <Center h="100vh">
      <Loader aria-label={label} />
    </Center>
  );
}

function Failure({ error }: { error: unknown }) {
  return (
    <Center h="100vh">
      <Alert color="red" title="The console could not start" role="alert">
        {error instanceof Error ? error.message : String(error)}
      </Alert>
    </Center>
  );
}

/** The end of Vigil's hosted sign-in: back to the page the user was on. */
function Callback() {
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    completeSignIn().then(
      (returnTo) => navigate(returnTo.replace(/^\/admin/, '') || '/', { replace: true }),
      setError,
    );
  }, [navigate]);
  return error ? <Failure error={error} /> : <Loading label="Signing in" />;
}

type State =
  | { phase: 'loading' }
  | { phase: 'ready'; user: User; access: Access }
  | { phase: 'none'; user: User }
  | { phase: 'failed'; error: unknown };

/** Signs the user in when they are not, then shows what they may do. */
function SignedIn() {
  const [state, setState] = useState<State>({ phase: 'loading' });
  useEffect(() => {
    let live = true;
    (async () => {
      const user = await userManager.getUser();
      if (!user || (user.expired && !user.refresh_token)) return signIn();
      const access = await loadAccess(user);
      if (!live) return;
      setState(
        access && hasConsole(access) ? { phase: 'ready', user, access } : { phase: 'none', user },
      );
    })().catch((error: unknown) => live && setState({ phase: 'failed', error }));
    return () => {
      live = false;
    };
  }, []);

  switch (state.phase) {
    case 'loading':
      return <Loading label="Loading the console" />;
    case 'failed':
      return <Failure error={state.error} />;
    case 'none':
      return <NoConsole email={state.user.profile.email} />;
    case 'ready': {
      const { access } = state;
      const first = sections.find((s) => may(access, s.anyOf));
      return (
        <Shell access={access}>
          <Routes>
            {may(access, ['platform.orgs', 'org.read']) && (
              <Route path="/orgs" element={<Organizations access={access} />} />
            )}
            {may(access, ['users.read']) && (
              <Route path="/orgs/:orgId/users" element={<Users access={access} />} />
            )}
            {may(access, ['users.read']) && (
              <Route path="/orgs/:orgId/users/:userId" element={<UserDetail access={access} />} />
            )}
            {may(access, ['roles.read']) && (
              <Route path="/orgs/:orgId/roles" element={<Roles access={access} />} />
            )}
            {may(access, ['roles.read']) && (
              <Route path="/orgs/:orgId/roles/:roleKey" element={<RolePage access={access} />} />
            )}
            {may(access, ['roles.read']) && (
              <Route path="/orgs/:orgId/assignments" element={<Assignments access={access} />} />
            )}
            {may(access, ['roles.read']) && (
              <Route
                path="/orgs/:orgId/access-requests"
                element={<AccessRequests access={access} />}
              />
            )}
            {may(access, ['roles.read']) && (
              <Route
                path="/orgs/:orgId/conflict-rules"
                element={<ConflictRules access={access} />}
              />
            )}
            {may(access, ['audit.read']) && (
              <Route path="/orgs/:orgId/exports" element={<Exports access={access} />} />
            )}
            {may(access, ['audit.read']) && (
              <Route path="/orgs/:orgId/audit" element={<AuditPage access={access} />} />
            )}
            {may(access, ['audit.read']) && (
              <Route path="/orgs/:orgId/lifecycle" element={<LifecyclePage access={access} />} />
            )}
            {may(access, ['alerts.read']) && (
              <Route path="/orgs/:orgId/alerts" element={<AlertsPage access={access} />} />
            )}
            {may(access, ['alerts.read']) && (
              <Route path="/orgs/:orgId/alerts/:alertId" element={<AlertPage access={access} />} />
            )}
            {may(access, ['compliance.read']) && (
              <Route path="/orgs/:orgId/compliance" element={<CompliancePage access={access} />} />
            )}
            {may(access, ['alerts.read', 'audit.read']) && (
              <Route
                path="/orgs/:orgId/integrations"
                element={<IntegrationsPage access={access} />}
              />
            )}
            {may(access, ['org.read']) && (
              <Route path="/orgs/:orgId/clients" element={<ClientsPage access={access} />} />
            )}
            {may(access, ['org.read']) && (
              <Route
                path="/orgs/:orgId/clients/:clientId"
                element={<ClientDetail access={access} />}
              />
            )}
            {may(access, ['apikeys.manage']) && (
              <Route path="/orgs/:orgId/api-keys" element={<ApiKeysPage access={access} />} />
            )}
            {may(access, ['org.read']) && (
              <Route path="/orgs/:orgId/policies" element={<PoliciesPage access={access} />} />
            )}
            {may(access, ['org.read']) && (
              <Route path="/orgs/:orgId/sso" element={<SsoPage access={access} />} />
            )}
            {may(access, ['org.read']) && (
              <Route path="/orgs/:orgId/sso/:tab" element={<SsoPage access={access} />} />
            )}
            {may(access, ['org.read']) && (
              <Route
                path="/orgs/:orgId/sso/applications/:applicationId"
                element={<ApplicationPage access={access} />}
              />
            )}
            {may(access, ['org.read']) && (
              <Route
                path="/orgs/:orgId/sso/connections/:connectionId"
                element={<ConnectionPage access={access} />}
              />
            )}
            {may(access, ['scim.manage']) && (
              <Route path="/orgs/:orgId/directory" element={<DirectoryPage access={access} />} />
            )}
            {may(access, ['reviews.manage']) && (
              <Route path="/orgs/:orgId/reviews" element={<CampaignsPage access={access} />} />
            )}
            {may(access, ['reviews.manage']) && (
              <Route
                path="/orgs/:orgId/reviews/:campaignId"
                element={<CampaignPage access={access} />}
              />
            )}
            {may(access, ['reviews.decide']) && (
              <Route path="/orgs/:orgId/my-reviews" element={<MyReviewsPage access={access} />} />
            )}
            <Route
              path="*"
              element={<Navigate to={first ? sectionPath(first, access.orgId) : '/'} replace />}
            />
          </Routes>
        </Shell>
      );
    }
  }
}
