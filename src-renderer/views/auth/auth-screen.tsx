import { useState, type FormEvent } from 'react';
import { ErrorNotice, Field, NewPasswordFields, clearFields, formText, passwordsMatch } from '../../components/form';
import { useNow } from '../../components/use-now';
import { useMessages } from '../../i18n/use-messages';
import { useAuthStore } from '../../stores/app-stores';
import { reasonOf, secondsLeft } from '../../stores/outcome';

/** What the page shows until someone is signed in: the check, the first-run screen, or the sign-in screen. */
export function AuthScreen() {
  const t = useMessages();
  const phase = useAuthStore((s) => s.phase);
  const error = useAuthStore((s) => s.error);
  const start = useAuthStore((s) => s.start);
  return (
    <main className="auth-main" data-testid={`auth-${phase}`}>
      {phase === 'first-run' ? (
        <FirstRunForm />
      ) : phase === 'login' ? (
        <LoginForm />
      ) : phase === 'unreachable' ? (
        <section className="panel auth-panel">
          <ErrorNotice title={t.auth.unreachable} error={error} testId="auth-unreachable-error">
            <button type="button" onClick={() => void start()}>
              {t.common.retry}
            </button>
          </ErrorNotice>
        </section>
      ) : (
        <p className="notice auth-checking">{t.auth.checking}</p>
      )}
    </main>
  );
}

function Notice() {
  const t = useMessages();
  const notice = useAuthStore((s) => s.notice);
  return notice ? (
    <p className="notice ok" data-testid="auth-notice" role="status">
      {t.auth.notices[notice]}
    </p>
  ) : null;
}

function FirstRunForm() {
  const t = useMessages();
  const suggested = useAuthStore((s) => s.suggestedUsername);
  const form = useAuthStore((s) => s.form);
  const firstRun = useAuthStore((s) => s.firstRun);
  const [mismatch, setMismatch] = useState(false);

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = e.currentTarget;
    const password = formText(f, 'password');
    if (!passwordsMatch(f, 'password')) return setMismatch(true);
    setMismatch(false);
    void firstRun(formText(f, 'username'), password).then(() => clearFields(f, 'password', 'password_confirm'));
  };

  return (
    <section className="panel auth-panel" data-testid="first-run">
      <h2>{t.auth.firstRunTitle}</h2>
      <p className="auth-intro">{t.auth.firstRunIntro}</p>
      <form onSubmit={submit} className="form" noValidate>
        <Field label={t.auth.username} name="username" issues={form.fields}>
          <input name="username" defaultValue={suggested ?? ''} autoComplete="username" required data-testid="first-run-username" />
        </Field>
        <NewPasswordFields
          name="password"
          labels={[t.auth.password, t.auth.passwordConfirm]}
          issues={form.fields}
          mismatch={mismatch}
          testId="first-run-password"
          mismatchTestId="first-run-mismatch"
        />
        <ErrorNotice title={t.auth.firstRunFailed} error={form.error} testId="first-run-error">
          {reasonOf(form.error) === 'not_local' ? <p>{t.auth.notLocal}</p> : null}
        </ErrorNotice>
        <button type="submit" className="primary" disabled={form.busy} data-testid="first-run-submit">
          {form.busy ? t.common.busy : t.auth.firstRunSubmit}
        </button>
      </form>
    </section>
  );
}

function LoginForm() {
  const t = useMessages();
  const form = useAuthStore((s) => s.form);
  const login = useAuthStore((s) => s.login);
  const now = useNow(form.retryUntil !== undefined);
  const wait = secondsLeft(form.retryUntil, now);
  const limited = form.error?.code === 'RATE_LIMITED';

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = e.currentTarget;
    void login(formText(f, 'username'), formText(f, 'password')).then(() => clearFields(f, 'password'));
  };

  return (
    <section className="panel auth-panel" data-testid="login">
      <h2>{t.auth.loginTitle}</h2>
      <Notice />
      <form onSubmit={submit} className="form" noValidate>
        <Field label={t.auth.username} name="username" issues={form.fields}>
          <input name="username" autoComplete="username" required data-testid="login-username" />
        </Field>
        <Field label={t.auth.password} name="password" issues={form.fields}>
          <input name="password" type="password" autoComplete="current-password" required data-testid="login-password" />
        </Field>
        {limited ? (
          <div className="notice error" role="alert" data-testid="login-rate-limited" data-wait={wait}>
            <p className="notice-title">{t.auth.loginFailed}</p>
            <p>{wait > 0 ? t.auth.rateLimited(t.auth.wait(wait)) : t.auth.rateLimitOver}</p>
          </div>
        ) : (
          <ErrorNotice title={t.auth.loginFailed} error={form.error} testId="login-error" />
        )}
        <button type="submit" className="primary" disabled={form.busy || wait > 0} data-testid="login-submit">
          {form.busy ? t.common.busy : t.auth.loginSubmit}
        </button>
      </form>
    </section>
  );
}
