// Pages for signed-in users. Each page checks the session itself (requireSessionUser) so that it
// can send a visitor back to exactly that page after signing in; the API checks again anyway.
export default function AppLayout({ children }: { children: React.ReactNode }) {
  return (
    <main id="main" className="mx-auto max-w-7xl px-4 py-8">
      {children}
    </main>
  );
}
