{#- FIX 4.4 makes GrossTradeAmt (381), NetMoney (118) and AllocNetMoney (154) optional and
    defines them: gross = quantity x price, net = gross plus commission and fees for a buy,
    minus them for a sell ("total amount due as the result of the transaction"). These
    macros derive what a message left out, so a recon never compares a value nobody sent
    with one somebody did. -#}

{#- An amount rounded half away from zero to the currency's ISO 4217 minor units (a
    column); every branch cast alike, a CASE must not take the scale of its first. -#}
{% macro round_to_minor_units(amount, minor_units) -%}
    case coalesce({{ minor_units }}, 2)
        when 0 then cast(round({{ amount }}, 0) as decimal(28, 6))
        when 3 then cast(round({{ amount }}, 3) as decimal(28, 6))
        else cast(round({{ amount }}, 2) as decimal(28, 6))
    end
{%- endmacro %}

{#- A charge (commission 12 with CommType 13, or a MiscFeeAmt 137 with MiscFeeBasis 891) as
    an amount: absolute (13=3, 891=0, or no type), per unit (13=1, 891=1) times the
    quantity, a percentage (13=2, 891=2) of the gross amount. Other types (waived,
    points) cannot be turned into an amount, and a charge not stated is not known to be
    zero: null either way, so a net amount is only derived from charges the message
    states. -#}
{% macro charge_amount(amount, type_code, absolute_code, per_unit_code, percentage_code, quantity, gross_amount) -%}
    case
        when {{ type_code }} is null or {{ type_code }} = '{{ absolute_code }}'
            then {{ amount }}
        when {{ type_code }} = '{{ per_unit_code }}' then {{ amount }} * {{ quantity }}
        when {{ type_code }} = '{{ percentage_code }}'
            then {{ amount }} * {{ gross_amount }} / 100
    end
{%- endmacro %}

{#- A MiscFees entry (136: MiscFeeAmt 137, MiscFeeCurr 138, MiscFeeBasis 891) of a trade as
    an amount in the trade's currency; a fee in another currency is none (null). `fees` and
    `trade` are the relations' aliases. -#}
{% macro misc_fee_charge(fees, trade, quantity, gross_amount) -%}
    case
        when coalesce({{ fees }}.currency_code, {{ trade }}.currency_code)
            <> {{ trade }}.currency_code
            then null
        else {{ charge_amount(
            fees ~ '.fee_amount', fees ~ '.fee_basis_code', '0', '1', '2', quantity, gross_amount
        ) }}
    end
{%- endmacro %}

{#- NetMoney from the gross amount and the charges, by side: a buyer pays the charges on
    top, a seller gets the gross less them (FIX Side 54: 1 buy; 2, 5, 6 sells). -#}
{% macro net_money(side, gross_amount, charges, minor_units) -%}
    case
        when {{ side }} = 'buy'
            then {{ round_to_minor_units(gross_amount ~ ' + (' ~ charges ~ ')', minor_units) }}
        when {{ side }} in ('sell', 'sell_short', 'sell_short_exempt')
            then {{ round_to_minor_units(gross_amount ~ ' - (' ~ charges ~ ')', minor_units) }}
    end
{%- endmacro %}
