"""Monthly cost of one GPU under a pricing option: rented by the hour, or owned."""

from __future__ import annotations

from dataclasses import dataclass

from tco.errors import ScenarioError, UnknownModelError
from tco.pricing.book import PriceBook
from tco.pricing.schema import Gpu
from tco.scenario import GpuPricing
from tco.units import HOURS_PER_MONTH


@dataclass(frozen=True)
class GpuMonthlyCost:
    usd_per_gpu_month: float
    usd_per_gpu_hour: float
    description: str
    source: str
    as_of: str


def gpu_monthly_cost(book: PriceBook, gpu: Gpu, pricing: GpuPricing) -> GpuMonthlyCost:
    """Resolve the pricing option into USD per GPU-month (730 hours) with its provenance."""
    if pricing.usd_per_hour is not None:
        return _hourly(pricing.usd_per_hour, f"{pricing.option}, scenario price", "scenario file", "scenario")
    if pricing.option == "owned":
        return _owned(book, gpu, pricing)
    if pricing.option == "on_demand" and pricing.provider is None:
        return _hourly(gpu.on_demand_usd_per_hour, "on demand", gpu.price_source, gpu.price_as_of.isoformat())

    offers = [offer for offer in book.current_gpu_offers() if offer.gpu == gpu.name and offer.option == pricing.option]
    if pricing.provider is not None:
        offers = [offer for offer in offers if offer.provider.lower() == pricing.provider.lower()]
    if not offers:
        listed = sorted({f"{offer.option} from {offer.provider}" for offer in book.gpu_offers if offer.gpu == gpu.name})
        wanted = pricing.option + (f" from {pricing.provider}" if pricing.provider else "")
        raise UnknownModelError(
            f"no {wanted} price for {gpu.name} in {book.folder}/gpu_offers.yaml; listed: {', '.join(listed) or 'none'}. "
            "Choose one of those or set gpu_pricing.usd_per_hour."
        )
    cheapest = min(offers, key=lambda offer: offer.usd_per_hour)
    rule = "" if pricing.provider else f", cheapest of {len(offers)} listed"
    return _hourly(
        cheapest.usd_per_hour,
        f"{pricing.option} from {cheapest.provider}{rule}",
        cheapest.source,
        cheapest.as_of.isoformat(),
    )


def _hourly(usd_per_hour: float, description: str, source: str, as_of: str) -> GpuMonthlyCost:
    return GpuMonthlyCost(usd_per_hour * HOURS_PER_MONTH, usd_per_hour, description, source, as_of)


def _owned(book: PriceBook, gpu: Gpu, pricing: GpuPricing) -> GpuMonthlyCost:
    """Purchase amortized over the life, plus power (board power x PUE x 730 h) and hosting, per GPU-month."""
    purchase = next((row for row in book.gpu_purchases if row.gpu == gpu.name), None)
    if pricing.purchase_usd is None and purchase is None:
        raise ScenarioError(f"no purchase price for {gpu.name} in gpu_purchases.yaml; set gpu_pricing.purchase_usd")
    if purchase is None:
        raise ScenarioError(f"no board power for {gpu.name} in gpu_purchases.yaml, so its power cost is unknown")

    price = pricing.purchase_usd if pricing.purchase_usd is not None else purchase.purchase_usd
    amortized = price / pricing.life_months
    energy_kwh = purchase.board_power_watts / 1000 * pricing.pue * HOURS_PER_MONTH
    monthly = amortized + energy_kwh * pricing.usd_per_kwh + pricing.hosting_usd_per_month
    description = (
        f"owned: {price:,.0f} USD over {pricing.life_months:g} months, {purchase.board_power_watts:g} W x PUE "
        f"{pricing.pue:g} at {pricing.usd_per_kwh:g} USD/kWh, hosting {pricing.hosting_usd_per_month:g} USD/month"
    )
    source = purchase.source if pricing.purchase_usd is None else "scenario file (purchase price); " + purchase.source
    return GpuMonthlyCost(monthly, monthly / HOURS_PER_MONTH, description, source, purchase.as_of.isoformat())
