-- The settlement recon's grain: one break per instruction and break type.
select
    trade_ref,
    break_type,
    count(*) as break_count
from {{ ref('recon_settlement') }}
group by trade_ref, break_type
having count(*) > 1
