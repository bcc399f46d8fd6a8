with

source as (
    select * from {{ source('oms', 'oms_allocation_fees') }}
),

renamed as (
    select
        alloc_id,
        alloc_line_number,
        individual_alloc_id,
        misc_fee_number as fee_number,
        misc_fee_amount as fee_amount,
        misc_fee_currency_code as currency_code,
        misc_fee_type as misc_fee_type_code,
        misc_fee_basis as fee_basis_code,
        business_date,
        source_file,
        file_sha256,
        message_index
    from source
)

select * from renamed
