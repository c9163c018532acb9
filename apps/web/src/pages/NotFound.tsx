import { Link } from "react-router";
import { usePageTitle } from "../components/ui.tsx";

export function NotFoundPage() {
  usePageTitle("Not found");
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is nothing here. <Link to="/">Back to the catalogue</Link>
      </p>
    </>
  );
}
