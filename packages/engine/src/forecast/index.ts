// Forecasting: pure arithmetic over deals (or rows the database pre-summed).
export { forecastByMonthAndOwner, sumForecast } from "./forecast.js";
export {
  type StageReach,
  type StageWinRate,
  salesVelocity,
  type Velocity,
  type VelocityInput,
  winRateByStage,
} from "./rates.js";
export type { ForecastCategory, ForecastCell, ForecastRow, StageCategory } from "./types.js";
