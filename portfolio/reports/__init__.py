"""Agency statistics: counters kept up to date as events happen, and the reports over them."""
