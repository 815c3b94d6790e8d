/**
 * Sign-in. Locally: the directory's people, each a dev token like `npm run token` mints. In AWS:
 * the organisation's OpenID Connect provider (authorization code with PKCE).
 */
import { useState } from 'preact/hooks';
import { call, get, tokens, type ConsoleConfig } from '../api';
import { startOidcSignIn } from '../oidc';
import { Problem, useLoad, usePageTitle, When } from '../ui';

interface LocalPerson {
  id: string;
  name: string;
  team?: string;
  roles: string[];
}

export function SignInPage({ config, onSignedIn }: { config: ConsoleConfig; onSignedIn: () => void }) {
  usePageTitle('Sign in');
  return (
    <div class="narrow">
      <h1>Sign in</h1>
      {config.auth === 'oidc' ? <OidcSignIn config={config} /> : <LocalSignIn onSignedIn={onSignedIn} />}
    </div>
  );
}

function OidcSignIn({ config }: { config: ConsoleConfig }) {
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <p>Sign in with your organisation's account ({new URL(config.oidc!.issuer).host}).</p>
      <button
        type="button"
        class="primary"
        onClick={() => startOidcSignIn(config, location.hash && location.hash !== '#/sign-in' ? location.hash : '#/inbox').catch(setError)}
      >
        Sign in
      </button>
      <Problem error={error} />
    </>
  );
}

function LocalSignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const people = useLoad(() => get<{ people: LocalPerson[] }>('/local/people'), 'people');
  const [error, setError] = useState<unknown>(null);
  const signIn = async (id: string) => {
    try {
      const { data } = await call<{ token: string }>('/local/token', { method: 'POST', body: { person: id } });
      tokens.set(data.token);
      onSignedIn();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <p>
        This is the local system: pick a person from the directory (<code>seed/directory.json</code>). You get the same development token{' '}
        <code>npm run token -- --user &lt;id&gt;</code> prints.
      </p>
      <Problem error={error} />
      <When loaded={people}>
        {(d) => (
          <ul class="people">
            {d.people.map((p) => (
              <li key={p.id}>
                <button type="button" onClick={() => signIn(p.id)} data-person={p.id}>
                  <strong>{p.name}</strong>
                  <span class="muted">
                    {' '}
                    {p.roles.join(', ')}
                    {p.team ? ` · ${p.team}` : ''}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </When>
    </>
  );
}
