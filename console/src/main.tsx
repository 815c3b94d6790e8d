/** The console: a hash router over the pages, the signed-in person, and the navigation. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { consoleConfig, SIGNED_OUT, session, tokens, type ConsoleConfig, type Session } from './api';
import { completeOidcSignIn } from './oidc';
import { AdminPage } from './pages/admin';
import { CabPage } from './pages/cab';
import { CalendarPage } from './pages/calendar';
import { ChangePage } from './pages/change';
import { ChangesPage } from './pages/changes';
import { DecidePage } from './pages/decide';
import { FreezePage, FreezesPage } from './pages/freezes';
import { InboxPage } from './pages/inbox';
import { NewChangePage } from './pages/new-change';
import { ReportsPage } from './pages/reports';
import { SignInPage } from './pages/sign-in';
import './style.css';

export interface PageProps {
  me: Session;
  config: ConsoleConfig;
  params: URLSearchParams;
}

const PAGES: { path: string; label: string; admin?: boolean }[] = [
  { path: 'inbox', label: 'Inbox' },
  { path: 'changes', label: 'Changes' },
  { path: 'new', label: 'New change' },
  { path: 'calendar', label: 'Calendar' },
  { path: 'cab', label: 'Change board' },
  { path: 'freezes', label: 'Freezes' },
  { path: 'reports', label: 'Reports' },
  { path: 'admin', label: 'Admin', admin: true },
];

function parseHash(): { path: string[]; params: URLSearchParams } {
  const raw = location.hash.replace(/^#\/?/, '');
  const [p = '', q = ''] = raw.split('?');
  return { path: p.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(q) };
}

function App() {
  const [route, setRoute] = useState(parseHash);
  const [me, setMe] = useState<Session | null>(session);
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    const onHash = () => setRoute(parseHash());
    const onSignedOut = () => setMe(null);
    addEventListener('hashchange', onHash);
    addEventListener(SIGNED_OUT, onSignedOut);
    consoleConfig()
      .then(async (c) => {
        setConfig(c);
        // back from the identity provider with ?code=…&state=…
        if (c.auth === 'oidc' && new URLSearchParams(location.search).has('code')) {
          await completeOidcSignIn(c);
          setRoute(parseHash());
          setMe(session());
        }
      })
      .catch((e: Error) => setFailure(e.message));
    return () => {
      removeEventListener('hashchange', onHash);
      removeEventListener(SIGNED_OUT, onSignedOut);
    };
  }, []);

  if (failure) return <p role="alert">The console could not start: {failure}</p>;
  if (!config) return null;
  const signOut = () => {
    tokens.clear();
    setMe(null);
  };
  if (!me || route.path[0] === 'sign-in') {
    return (
      <Shell me={null} current="sign-in" onSignOut={signOut}>
        <SignInPage
          config={config}
          onSignedIn={() => {
            setMe(session());
            // back to the page that asked for the sign-in (a link's decision page, say)
            if (route.path[0] === 'sign-in' || !route.path.length) location.hash = route.params.get('next') ?? '#/inbox';
          }}
        />
      </Shell>
    );
  }
  const [page = 'inbox', id] = route.path;
  const props: PageProps = { me, config, params: route.params };
  let body = <InboxPage {...props} />;
  if (page === 'changes' && id) body = <ChangePage {...props} id={id} />;
  else if (page === 'changes') body = <ChangesPage {...props} />;
  else if (page === 'new') body = <NewChangePage {...props} />;
  else if (page === 'calendar') body = <CalendarPage {...props} />;
  else if (page === 'cab') body = <CabPage {...props} />;
  else if (page === 'freezes' && id) body = <FreezePage {...props} id={id} />;
  else if (page === 'freezes') body = <FreezesPage {...props} />;
  else if (page === 'reports') body = <ReportsPage {...props} />;
  else if (page === 'admin') body = <AdminPage {...props} />;
  else if (page === 'decide') body = <DecidePage {...props} />;
  return (
    <Shell me={me} current={page} onSignOut={signOut}>
      {body}
    </Shell>
  );
}

function Shell({ me, current, onSignOut, children }: { me: Session | null; current: string; onSignOut: () => void; children: preact.ComponentChildren }) {
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/inbox">
          ChangeFlow
        </a>
        {me ? (
          <nav aria-label="Main">
            <ul>
              {PAGES.filter((p) => !p.admin || me.roles.includes('admin')).map((p) => (
                <li key={p.path}>
                  <a href={`#/${p.path}`} aria-current={current === p.path ? 'page' : undefined}>
                    {p.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        {me ? (
          <div class="who">
            <span>
              {me.name} <span class="muted">({me.roles.join(', ') || 'no role'})</span>
            </span>
            <button type="button" class="link" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      <main id="main">{children}</main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
