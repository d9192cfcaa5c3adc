"""The storage seam is a contract, not a comment: the GeoPackage adapter implements every member
of :class:`gridmgr.storage.api.Store` with the same parameters, and offers nothing public that
the protocol does not name (what is not in the protocol is not part of the seam, so a second
backend would not have it)."""

from __future__ import annotations

import inspect

import pytest

from gridmgr.storage import GpkgStore, api

PROTOCOLS = (api.ProjectBase, api.RegisterStore, api.FieldworkStore, api.CaseStore,
             api.CaseStatsStore, api.LookupStore, api.CaseListStore)


def _members(cls: type) -> dict[str, object]:
    """Public members a class declares itself (methods, properties and annotated attributes)."""
    out: dict[str, object] = {n: v for n, v in vars(cls).items()
                              if not n.startswith("_") or n in ("__enter__", "__exit__")}
    out.update({n: None for n in getattr(cls, "__annotations__", {}) if not n.startswith("_")})
    return out


def _protocol_members() -> dict[str, tuple[type, object]]:
    found: dict[str, tuple[type, object]] = {}
    for proto in PROTOCOLS:
        for name, value in _members(proto).items():
            assert name not in found, f"{name} is in both {found[name][0].__name__} and {proto.__name__}"
            found[name] = (proto, value)
    return found


def _params(fn: object) -> list[tuple[str, object, object]]:
    fn = fn.fget if isinstance(fn, property) else fn
    fn = fn.__func__ if isinstance(fn, (classmethod, staticmethod)) else fn
    sig = inspect.signature(fn)  # type: ignore[arg-type]
    return [(p.name, p.kind, p.default) for p in sig.parameters.values()]


def test_store_protocol_is_the_union_of_its_parts():
    """Store adds nothing of its own: every member is in one of the named parts."""
    assert set(PROTOCOLS) <= set(api.Store.__mro__)
    assert set(_members(api.Store)) - {"__doc__", "__module__", "__qualname__",
                                        "__firstlineno__", "__static_attributes__"} == set()


@pytest.mark.parametrize("name", sorted(_protocol_members()))
def test_gpkg_adapter_has_each_member_with_the_same_parameters(name):
    proto, declared = _protocol_members()[name]
    if declared is None:  # an attribute the adapter sets on each instance
        assert name in inspect.signature(GpkgStore.__init__).parameters, name
        return
    assert hasattr(GpkgStore, name), f"GpkgStore lacks {proto.__name__}.{name}"
    mine = inspect.getattr_static(GpkgStore, name)
    assert isinstance(mine, property) == isinstance(declared, property), name
    assert _params(mine) == _params(declared), f"{name}: {_params(mine)} vs {_params(declared)}"


def test_gpkg_adapter_offers_nothing_public_beyond_the_seam():
    """Constructors (create/open) and the adapter's own handle are the only extras."""
    seam = set(_protocol_members())
    public = set()
    for cls in GpkgStore.__mro__:
        if cls.__module__.startswith("gridmgr.storage.gpkg"):
            public |= {n for n in _members(cls) if not n.startswith("__")}
    assert len(public) > 100  # the walk saw the adapter's mixins
    assert public - seam - {"create", "open", "db"} == set()


def test_an_open_project_is_a_store(tmp_path):
    from gridmgr.project import init_project

    with init_project(tmp_path / "p.gpkg", name="测试区", admin_code="440604") as store:
        assert isinstance(store, api.Store)
