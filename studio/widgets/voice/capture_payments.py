from __future__ import annotations

from studio.widgets.props import Prop, kv_array
from studio.widgets.runtime import Outcome, WaitSpec, WidgetCall
from studio.widgets.voice.voice_twiml import as_int, is_hangup, kv_pairs, node, outputs_of, truthy, xml
from studio.widgets.widget import Widget

# <Pay> Result → widget event.
RESULT_EVENTS = {
    "success": "success",
    "too-many-failed-attempts": "maxFailedAttempts",
    "input-timeout": "maxFailedAttempts",
    "payment-connector-error": "providerError",
    "internal-error": "providerError",
    "caller-interrupted-with-star": "payInterrupted",
    "caller-hung-up": "hangup",
    "validation-error": "validationError",
}

CARD_TYPES = (
    "visa",
    "master-card",
    "mastercard",
    "amex",
    "maestro",
    "discover",
    "optima",
    "jcb",
    "diners-club",
    "enroute",
)


class CapturePayments(Widget):
    type = "capture-payments"
    family = "Voice"
    label = "Capture Payments"
    description = "Collect card or ACH details over the phone with <Pay> (PCI mode, Stripe connector)."
    channel = "voice"
    properties = [
        Prop("payment_connector", "string", liquid=True, default="Default", label="Payment connector"),
        Prop("payment_amount", "string", liquid=True, label="Payment amount"),
        Prop("currency", "string", liquid=True, default="USD", label="Currency"),
        Prop("description", "string", liquid=True, label="Description"),
        Prop("language", "string", liquid=True, default="en-US", label="Language"),
        Prop(
            "payment_token_type",
            "enum",
            allowed=("one-time", "reusable"),
            default="one-time",
            label="Token type",
        ),
        Prop(
            "payment_method",
            "enum",
            allowed=("CREDIT_CARD", "ACH_DEBIT"),
            default="CREDIT_CARD",
            label="Method",
        ),
        Prop(
            "bank_account_type",
            "enum",
            allowed=("CONSUMER_CHECKING", "CONSUMER_SAVINGS", "COMMERCIAL_CHECKING", "COMMERCIAL_SAVINGS"),
            label="Bank account type",
        ),
        Prop("timeout", "integer", minimum=1, default=5, label="Timeout (seconds)"),
        Prop("max_attempts", "integer", minimum=1, default=2, label="Max attempts"),
        Prop("min_postal_code_length", "integer", minimum=0, label="Min postal code length"),
        Prop("security_code", "boolean", default=True, label="Ask for security code"),
        Prop("postal_code", "boolean", string_encoded=True, default="true", label="Ask for postal code"),
        Prop(
            "valid_card_types",
            "array",
            item_type="enum",
            allowed=CARD_TYPES,
            default=["visa", "master-card", "amex"],
            label="Valid card types",
        ),
        kv_array("parameters", "Connector parameters"),
    ]
    events = ["success", "maxFailedAttempts", "providerError", "payInterrupted", "hangup", "validationError"]
    outputs = [
        "Result",
        "PaymentToken",
        "PaymentConfirmationCode",
        "ProfileId",
        "PaymentCardNumber",
        "PaymentCardType",
        "PaymentCardPostalCode",
        "ExpirationDate",
        "SecurityCode",
    ]
    open_outputs = True
    name_prefix = "pay"

    # -- runtime: <Pay action=callback>; Result picks the event -------------------------------

    @classmethod
    def run(cls, call: WidgetCall) -> Outcome:
        p = call.properties
        method = "ach-debit" if p.get("payment_method") == "ACH_DEBIT" else "credit-card"
        cards = p.get("valid_card_types")
        pay = node(
            "Pay",
            None,
            action=call.services.callback_url(call.name),
            payment_connector=p.get("payment_connector") or None,
            charge_amount=p.get("payment_amount") or None,
            currency=str(p.get("currency") or "USD").lower(),
            description=p.get("description") or None,
            language=p.get("language") or None,
            token_type=p.get("payment_token_type") or None,
            payment_method=method,
            bank_account_type=str(p["bank_account_type"]).lower().replace("_", "-")
            if p.get("bank_account_type") and method == "ach-debit"
            else None,
            timeout=as_int(p.get("timeout"), None),
            max_attempts=as_int(p.get("max_attempts"), None),
            min_postal_code_length=as_int(p.get("min_postal_code_length"), None),
            security_code=truthy(p.get("security_code"), True),
            postal_code=truthy(p.get("postal_code"), True),
            valid_card_types=list(dict.fromkeys(str(c).replace("master-card", "mastercard") for c in cards))
            if isinstance(cards, list) and cards
            else None,
        )
        for key, value in kv_pairs(p.get("parameters")):
            pay.add("Parameter", name=key, value=value)
        return Outcome(twiml=[xml(pay)], wait=WaitSpec())

    @classmethod
    def resume(cls, call: WidgetCall) -> Outcome | None:
        inbound = call.inbound
        if inbound is None or inbound.kind not in ("callback", "call_status"):
            return None
        outputs = outputs_of(inbound.payload)
        if inbound.kind == "call_status":
            return Outcome(event="hangup", outputs=outputs)
        event = RESULT_EVENTS.get(str(inbound.payload.get("Result") or ""))
        if event is None:
            event = "hangup" if is_hangup(inbound) else "providerError"
        return Outcome(event=event, outputs=outputs)
