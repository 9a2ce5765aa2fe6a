// Competition pages are for signed-in users; each page checks the session itself (so a visitor
// returns to exactly that page after signing in), and the API checks again anyway.
export default function JoinLayout({ children }: { children: React.ReactNode }) {
  return (
    <main id="main" className="mx-auto max-w-7xl px-4 py-8">
      {children}
    </main>
  );
}
