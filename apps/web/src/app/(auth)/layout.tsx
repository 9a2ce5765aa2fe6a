export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <main className="mx-auto flex min-h-[calc(100vh-3.5rem)] max-w-7xl items-start justify-center px-4 py-16">
      <div className="w-full max-w-md">{children}</div>
    </main>
  );
}
