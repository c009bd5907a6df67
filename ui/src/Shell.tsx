import {
  ActionIcon,
  AppShell,
  Burger,
  Button,
  Divider,
  Group,
  NavLink,
  Text,
  Title,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { NavLink as RouterLink, useLocation } from 'react-router';
import {
  type Access,
  inOrganization,
  may,
  type Section,
  sectionPath,
  sections,
  workingOrgId,
} from './access.ts';
import { signOut } from './auth.ts';
import { WorkingOrganization } from './components/WorkingOrganization.tsx';

/** Light or dark; the choice is kept in this browser (Mantine's color scheme manager). */
function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const next = scheme === 'dark' ? 'light' : 'dark';
  return (
    <ActionIcon
      variant="default"
      size="lg"
      aria-label={`Switch to ${next} mode`}
      title={`Switch to ${next} mode`}
      onClick={() => setColorScheme(next)}
    >
      <span aria-hidden="true">{scheme === 'dark' ? '☀' : '☾'}</span>
    </ActionIcon>
  );
}

/** The frame of every page: the sections this user may open, the theme, sign-out. */
export function Shell({ access, children }: { access: Access; children: ReactNode }) {
  const [opened, { toggle }] = useDisclosure();
  const { pathname } = useLocation();
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group>
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Navigation"
            />
            <Title order={1} size="h4">
              Vigil
            </Title>
          </Group>
          <Group>
            <Text size="sm" c="dimmed">
              {access.email}
            </Text>
            <ColorSchemeToggle />
            <Button variant="default" onClick={() => void signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Console sections">
        <SectionLinks access={access} pathname={pathname} />
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}

/**
 * The sections this user may open: the platform's, then the working organization's under its
 * name (or picker). The open one is the section whose path the page's is longest under.
 */
function SectionLinks({ access, pathname }: { access: Access; pathname: string }) {
  const orgId = workingOrgId(access, pathname);
  const open = sections
    .map((s) => sectionPath(s, orgId))
    .filter((path) => pathname === path || pathname.startsWith(`${path}/`))
    .sort((a, b) => b.length - a.length)[0];
  const link = (s: Section) => {
    const path = sectionPath(s, orgId);
    return (
      <NavLink
        key={s.path}
        component={RouterLink}
        to={path}
        // Only `active` marks the open section: without `end` the router's own aria-current
        // would mark Organizations (/orgs) on every page of an organization too.
        end
        label={s.label}
        active={path === open}
      />
    );
  };
  const mine = sections.filter((s) => may(access, s.anyOf));
  const ofOrganization = mine.filter(inOrganization);
  return (
    <>
      {mine.filter((s) => !inOrganization(s)).map(link)}
      {ofOrganization.length > 0 && (
        <>
          <Divider my="xs" />
          {/* Its name needs org.read: a reviewer with My reviews alone is not asked for it. */}
          {may(access, ['org.read', 'platform.orgs']) && (
            <WorkingOrganization access={access} orgId={orgId} />
          )}
          {ofOrganization.map(link)}
        </>
      )}
    </>
  );
}
