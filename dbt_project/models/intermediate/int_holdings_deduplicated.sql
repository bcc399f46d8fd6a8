-- One row per safekeeping account, ISIN and statement date: the holding the custodian
-- reported (semt.002 AggtBal, MT535 :93B::AGGR//). When an account's statement of a date
-- came more than once, the latest created statement is kept (then the latest delivered).
-- The account's earliest statement is its opening statement: positions are derived from it.
with

holdings as (
    select * from {{ ref('stg_custodian__holdings') }}
),

statements as (
    select
        safekeeping_account,
        statement_date,
        statement_id,
        source_file,
        message_index,
        row_number() over (
            partition by safekeeping_account, statement_date
            order by
                statement_created_at desc, source_file desc, message_index desc
        ) as delivery_rank
    from (
        select distinct
            safekeeping_account,
            statement_date,
            statement_id,
            statement_created_at,
            source_file,
            message_index
        from holdings
    ) as delivered
),

latest as (
    select holdings.*
    from holdings
    inner join statements
        on
            holdings.source_file = statements.source_file
            and holdings.message_index = statements.message_index
            and holdings.safekeeping_account = statements.safekeeping_account
    where statements.delivery_rank = 1
),

final as (
    select
        safekeeping_account,
        isin,
        statement_date,
        statement_id,
        statement_basis,
        message_format,
        sum(aggregate_quantity) as reported_quantity,
        statement_date = min(statement_date) over (partition by safekeeping_account)
            as is_opening_statement
    from latest
    group by
        safekeeping_account, isin, statement_date, statement_id, statement_basis, message_format
)

select * from final
