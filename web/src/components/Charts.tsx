// Charts of the Overview (Chart.js through react-chartjs-2), registered with
// only the parts they use so that the bundle stays small.
import {
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Filler,
  Legend,
  LinearScale,
  LineElement,
  PointElement,
  Tooltip,
  type ChartOptions,
} from "chart.js";
import { Bar, Line } from "react-chartjs-2";
import { formatClock } from "../lib/format.js";
import type { RatePoint } from "../countryStream.js";

ChartJS.register(BarElement, CategoryScale, LinearScale, LineElement, PointElement, Tooltip, Legend, Filler);

const common = {
  responsive: true,
  maintainAspectRatio: false,
  animation: false,
} as const;

export function CountryChart({ countries, counts }: { countries: string[]; counts: number[] }) {
  const options: ChartOptions<"bar"> = {
    ...common,
    plugins: { legend: { display: false }, tooltip: { enabled: true } },
    scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
  };
  return (
    <div className="chart" data-testid="country-chart" role="img" aria-label="Orders per country">
      <Bar
        options={options}
        data={{
          labels: countries,
          datasets: [{ label: "Orders", data: counts, backgroundColor: "#2f6fed", borderRadius: 3 }],
        }}
      />
    </div>
  );
}

export function RateChart({ series }: { series: RatePoint[] }) {
  const options: ChartOptions<"line"> = {
    ...common,
    plugins: { legend: { display: false } },
    scales: {
      x: { ticks: { maxTicksLimit: 6, autoSkip: true } },
      y: { beginAtZero: true, title: { display: true, text: "orders / s" } },
    },
    elements: { point: { radius: 1.5 } },
  };
  return (
    <div className="chart" data-testid="rate-chart" role="img" aria-label="Orders per second over time">
      <Line
        options={options}
        data={{
          labels: series.map((p) => formatClock(new Date(p.at))),
          datasets: [
            {
              label: "orders / s",
              data: series.map((p) => p.rate),
              borderColor: "#0f9d58",
              backgroundColor: "rgba(15, 157, 88, 0.15)",
              fill: true,
              spanGaps: false,
              tension: 0.2,
            },
          ],
        }}
      />
    </div>
  );
}
