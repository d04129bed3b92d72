// The dashboard's shell: navigation, hash routes, and the country stream
// that runs for as long as the app is open.
import { CountryFeedContext, useCountryStream } from "./countryStream.js";
import { useRoute } from "./hooks.js";
import Fraud from "./pages/Fraud.js";
import Health from "./pages/Health.js";
import OrderDetail from "./pages/OrderDetail.js";
import Orders from "./pages/Orders.js";
import Overview from "./pages/Overview.js";
import PlaceOrder from "./pages/PlaceOrder.js";

const nav = [
  { route: "/overview", label: "Overview" },
  { route: "/orders", label: "Orders" },
  { route: "/fraud", label: "Fraud" },
  { route: "/place", label: "Place an order" },
  { route: "/health", label: "Health" },
];

function page(route: string) {
  const [path, query = ""] = route.split("?", 2);
  const parts = path.split("/").filter(Boolean);
  switch (parts[0]) {
    case "overview":
      return <Overview />;
    case "orders":
      return parts[1] ? <OrderDetail key={parts[1]} id={decodeURIComponent(parts[1])} /> : <Orders query={query} />;
    case "fraud":
      return <Fraud />;
    case "place":
      return <PlaceOrder />;
    case "health":
      return <Health />;
    default:
      return (
        <div className="page" data-testid="page-missing">
          <h1>No such page</h1>
          <p>
            <a href="#/overview">Go to the overview</a>
          </p>
        </div>
      );
  }
}

export default function App() {
  const route = useRoute();
  const feed = useCountryStream();
  const section = "/" + (route.split(/[/?]/).filter(Boolean)[0] ?? "overview");
  return (
    <CountryFeedContext.Provider value={feed}>
      <header className="topbar">
        <span className="brand">Orders operations</span>
        <nav>
          {nav.map((n) => (
            <a key={n.route} href={`#${n.route}`} data-testid={`nav-${n.route.slice(1)}`} className={section === n.route ? "active" : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
      </header>
      <main>{page(route)}</main>
    </CountryFeedContext.Provider>
  );
}
