-- One row per transaction report due: a trade on a venue under a transaction reporting regime
-- (market_regimes seed) with a net executed quantity at the end of its trade date, reported
-- once for its final version of the day under `<OrderID>-<version>`, with the ARM's latest
-- acknowledgement of that reference, if any.
with

trade_versions as (
    select * from {{ ref('fct_trade_versions') }}
),

market_regimes as (
    select * from {{ ref('market_regimes') }}
),

acks as (
    select * from {{ ref('stg_arm__report_acks') }}
),

-- The revision in force at the end of the trade date, in the market's local time.
end_of_day_revisions as (
    select *
    from (
        select
            trade_versions.*,
            row_number() over (
                partition by trade_versions.trade_id
                order by trade_versions.revision desc
            ) as lateness_rank
        from trade_versions
        where
            cast(trade_versions.valid_from_at at time zone trade_versions.market_timezone as date)
            <= trade_versions.trade_date
    ) as ranked_revisions
    where lateness_rank = 1
),

reportable as (
    select
        end_of_day_revisions.*,
        market_regimes.transaction_reporting_regime,
        end_of_day_revisions.trade_id || '-' || cast(end_of_day_revisions.version as varchar)
            as transaction_reference
    from end_of_day_revisions
    inner join market_regimes on end_of_day_revisions.market_mic = market_regimes.market_mic
    where
        market_regimes.transaction_reporting_regime is not null
        and end_of_day_revisions.quantity > 0
),

-- A resubmission is acknowledged again: the latest answer stands (the same file delivered
-- twice counts once).
latest_acks as (
    select *
    from (
        select
            acks.*,
            row_number() over (
                partition by acks.transaction_reference
                order by acks.acknowledged_at desc, acks.arm_report_id desc, acks.source_file desc
            ) as ack_rank
        from acks
    ) as ranked_acks
    where ack_rank = 1
),

final as (
    select
        cast(reportable.transaction_reference as varchar) as transaction_reference,
        cast(reportable.trade_id as varchar) as trade_id,
        cast(reportable.version as integer) as version,
        cast(reportable.revision as integer) as revision,
        reportable.trade_date,
        cast(reportable.transaction_reporting_regime as varchar) as transaction_reporting_regime,
        cast(reportable.market_mic as varchar) as market_mic,
        cast(reportable.isin as varchar) as isin,
        cast(reportable.side as varchar) as side,
        cast(reportable.currency_code as varchar) as currency_code,
        reportable.quantity,
        reportable.average_price,
        reportable.gross_amount,
        cast(latest_acks.arm_report_id as varchar) as arm_report_id,
        cast(latest_acks.report_type as varchar) as report_type,
        cast(latest_acks.status as varchar) as ack_status_code,
        cast(
            case latest_acks.status
                when 'ACPT' then 'accepted'
                when 'RJCT' then 'rejected'
                else 'unacknowledged'
            end as varchar
        ) as report_status,
        cast(latest_acks.error_codes as varchar) as error_codes,
        cast(latest_acks.error_description as varchar) as error_description,
        latest_acks.submitted_at,
        latest_acks.acknowledged_at
    from reportable
    left join latest_acks on reportable.transaction_reference = latest_acks.transaction_reference
)

select * from final
