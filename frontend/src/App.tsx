export function App() {
  return (
    <main>
      <h1>Open Studio</h1>
      <p>Flows will appear here.</p>
    </main>
  );
}
