with

source as (
    select * from {{ source('oms', 'oms_allocation_orders') }}
),

renamed as (
    select
        alloc_id,
        order_line_number,
        order_id,
        cl_ord_id,
        business_date,
        source_file,
        file_sha256,
        message_index
    from source
)

select * from renamed
