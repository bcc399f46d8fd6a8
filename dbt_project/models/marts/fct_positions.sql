-- One row per safekeeping account, ISIN and business date after the account's opening
-- statement: the opening holding, the day's settled movements, the position derived from
-- them (opening + settled movements to that day, never a later reported holding), the
-- custodian's reported holding that day and the difference.
with

holdings as (
    select * from {{ ref('int_holdings_deduplicated') }}
),

movements as (
    select * from {{ ref('int_securities_movements_netted') }}
),

-- The account's opening statement: the earliest it reported (an ISIN it does not list is
-- held at zero: statements are complete, UpdTp COMP / :22F::CODE//COMP).
opening_statements as (
    select distinct
        safekeeping_account,
        statement_date as opening_date
    from holdings
    where is_opening_statement
),

opening_holdings as (
    select
        safekeeping_account,
        isin,
        reported_quantity as opening_quantity
    from holdings
    where is_opening_statement
),

-- The account's statements of each later date (a statement that day that omits the ISIN
-- reports zero of it).
statement_dates as (
    select distinct
        safekeeping_account,
        statement_date,
        statement_id
    from holdings
    where not is_opening_statement
),

position_dates as (
    select
        safekeeping_account,
        statement_date as business_date
    from statement_dates
    union
    select
        movements.safekeeping_account,
        movements.effective_settlement_date as business_date
    from movements
    inner join opening_statements
        on movements.safekeeping_account = opening_statements.safekeeping_account
    where movements.effective_settlement_date > opening_statements.opening_date
),

position_isins as (
    select
        safekeeping_account,
        isin
    from holdings
    union
    select
        safekeeping_account,
        isin
    from movements
),

spine as (
    select
        position_isins.safekeeping_account,
        position_isins.isin,
        position_dates.business_date
    from position_isins
    inner join position_dates
        on position_isins.safekeeping_account = position_dates.safekeeping_account
),

daily as (
    select
        spine.safekeeping_account,
        spine.isin,
        spine.business_date,
        opening_statements.opening_date,
        case
            when opening_statements.opening_date is not null
                then coalesce(opening_holdings.opening_quantity, 0)
        end as opening_quantity,
        coalesce(movements.received_quantity, 0) as received_quantity,
        coalesce(movements.delivered_quantity, 0) as delivered_quantity,
        coalesce(movements.net_quantity, 0) as net_settled_quantity,
        case
            when statement_dates.statement_date is not null
                then coalesce(holdings.reported_quantity, 0)
        end as reported_quantity,
        statement_dates.statement_id as reported_statement_id
    from spine
    left join opening_statements
        on spine.safekeeping_account = opening_statements.safekeeping_account
    left join opening_holdings
        on
            spine.safekeeping_account = opening_holdings.safekeeping_account
            and spine.isin = opening_holdings.isin
    left join movements
        on
            spine.safekeeping_account = movements.safekeeping_account
            and spine.isin = movements.isin
            and spine.business_date = movements.effective_settlement_date
    left join statement_dates
        on
            spine.safekeeping_account = statement_dates.safekeeping_account
            and spine.business_date = statement_dates.statement_date
    left join holdings
        on
            spine.safekeeping_account = holdings.safekeeping_account
            and spine.isin = holdings.isin
            and spine.business_date = holdings.statement_date
),

derived as (
    select
        daily.*,
        daily.opening_quantity + sum(daily.net_settled_quantity) over (
            partition by daily.safekeeping_account, daily.isin
            order by daily.business_date
            rows between unbounded preceding and current row
        ) as derived_quantity
    from daily
),

final as (
    select
        cast(md5(
            safekeeping_account || '|' || isin || '|' || cast(business_date as varchar)
        ) as varchar) as position_id,
        cast(safekeeping_account as varchar) as safekeeping_account,
        cast(isin as varchar) as isin,
        business_date,
        opening_date,
        cast(opening_quantity as decimal(28, 6)) as opening_quantity,
        cast(received_quantity as decimal(28, 6)) as received_quantity,
        cast(delivered_quantity as decimal(28, 6)) as delivered_quantity,
        cast(net_settled_quantity as decimal(28, 6)) as net_settled_quantity,
        cast(derived_quantity as decimal(28, 6)) as derived_quantity,
        cast(reported_quantity as decimal(28, 6)) as reported_quantity,
        cast(reported_quantity - derived_quantity as decimal(28, 6)) as quantity_difference,
        cast(reported_statement_id as varchar) as reported_statement_id
    from derived
)

select * from final
