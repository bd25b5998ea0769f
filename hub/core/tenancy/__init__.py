"""Tenancy: regions as tenants, and the wall between them."""

from hub.core.tenancy.scope import (
    ReadOnlyScopeError,
    RegionScoped,
    Scope,
    TenancyError,
    all_regions,
    current_region_id,
    current_scope,
    no_region,
    region_scope,
)

__all__ = [
    "ReadOnlyScopeError",
    "RegionScoped",
    "Scope",
    "TenancyError",
    "all_regions",
    "current_region_id",
    "current_scope",
    "no_region",
    "region_scope",
]
