"""Ad hoc analysis with DuckDB over the Parquet lake and the warehouse marts.

Run after `make demo` (or `posttrade run`):  .venv/bin/python notebooks/lake_and_marts.py
Paths come from POSTTRADE_DATA_DIR (default data/) and POSTTRADE_DUCKDB_PATH
(default data/warehouse.duckdb). Each `# %%` cell also runs on its own in an editor that
knows the cell marker (VS Code, PyCharm, Jupytext).
"""

# %% Open the warehouse read-only and attach the lake: nothing is copied.
import os
from pathlib import Path

import duckdb

data_dir = Path(os.environ.get("POSTTRADE_DATA_DIR", "data"))
warehouse = Path(os.environ.get("POSTTRADE_DUCKDB_PATH", data_dir / "warehouse.duckdb"))
connection = duckdb.connect()
connection.execute(f"attach '{warehouse}' as wh (read_only)")
lake = data_dir / "lake"
print("lake tables:", sorted(p.name for p in lake.iterdir() if p.is_dir()))

# %% The lake: raw executions per business date straight from Parquet (hive partitions).
print(
    connection.sql(
        f"""
        select business_date, count(*) as execution_reports, count(distinct order_id) as orders
        from read_parquet('{lake}/oms_execution_reports/*/*.parquet', hive_partitioning = true)
        group by business_date
        order by business_date
        """
    )
)

# %% The marts: where settlement fails concentrate, and what they cost in CSDR penalties.
print(
    connection.sql(
        """
        select fails.counterparty_name, fails.market_mic, count(*) as fails,
               sum(fails.fail_amount) as fail_amount,
               sum(penalties.penalty_amount) as estimated_penalties
        from wh.analytics.fct_settlement_fails as fails
        left join (
            select instruction_ref, sum(penalty_amount) as penalty_amount
            from wh.analytics.fct_csdr_penalties group by instruction_ref
        ) as penalties on fails.instruction_ref = penalties.instruction_ref
        group by 1, 2
        order by fails desc, fail_amount desc
        """
    )
)

# %% Lake and marts together: the executions behind the trades that did not go straight through.
print(
    connection.sql(
        f"""
        select stp.trade_date, sum(stp.trade_with_break_count) as trades_with_breaks,
               (select count(*) from read_parquet(
                   '{lake}/oms_execution_reports/*/*.parquet', hive_partitioning = true
               ) as lake where cast(lake.business_date as date) = stp.trade_date) as lake_rows
        from wh.analytics.fct_stp_rates as stp
        group by stp.trade_date
        order by stp.trade_date
        """
    )
)
