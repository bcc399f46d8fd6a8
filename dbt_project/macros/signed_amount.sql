{#- An unsigned amount with its ISO 20022 credit/debit indicator as one signed number:
    credits positive, debits negative. -#}
{% macro signed_amount(amount, credit_debit) -%}
    case when {{ credit_debit }} = 'DBIT' then -{{ amount }} else {{ amount }} end
{%- endmacro %}
