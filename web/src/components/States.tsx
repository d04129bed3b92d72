// The states every panel can be in besides showing data.
import type { ReactNode } from "react";

export function Loading({ what, testId }: { what: string; testId?: string }) {
  return (
    <div className="state state-loading" data-testid={testId ?? "loading"} aria-busy="true">
      Loading {what}…
    </div>
  );
}

export function Empty({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <div className="state state-empty" data-testid={testId ?? "empty"}>
      {children}
    </div>
  );
}

/** ErrorNote names what failed; data shown beside it may be stale. */
export function ErrorNote({ message, testId, stale }: { message: string; testId?: string; stale?: boolean }) {
  return (
    <div className="state state-error" role="alert" data-testid={testId ?? "error"}>
      {message}
      {stale ? <span className="stale"> — showing the last data received</span> : null}
    </div>
  );
}

export function Panel({
  title,
  testId,
  children,
  aside,
}: {
  title: string;
  testId?: string;
  children: ReactNode;
  aside?: ReactNode;
}) {
  return (
    <section className="panel" data-testid={testId}>
      <header className="panel-head">
        <h2>{title}</h2>
        {aside ? <div className="panel-aside">{aside}</div> : null}
      </header>
      {children}
    </section>
  );
}
