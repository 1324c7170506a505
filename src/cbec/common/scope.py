"""Data scope (数据权限范围): which tenant subtree and which enterprises' documents a caller may see.

Transports derive a ``Scope`` from the authenticated principal (cbec.accounts) and hand it to the domains'
queries and use cases, which filter in their repositories. A domain never learns who the caller is, only
what it may touch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cbec.common.errors import DomainError, ErrorCode, Problem


@dataclass(frozen=True, slots=True)
class Scope:
    """A tenant subtree and a set of enterprise codes; ``None`` in either means no restriction."""

    tenant: str | None = None  # tenant path such as "hub/zhengzhou": that tenant and every tenant below it
    parties: frozenset[str] | None = None  # customs or credit codes of the enterprises whose data is visible

    @property
    def unrestricted(self) -> bool:
        """Tell whether the scope lets everything through."""
        return self.tenant is None and self.parties is None

    def admits_tenant(self, path: str) -> bool:
        """Tell whether a tenant path lies in the scope's subtree."""
        return self.tenant is None or path == self.tenant or path.startswith(self.tenant + "/")

    def admits_party(self, codes: Iterable[str | None]) -> bool:
        """Tell whether any of the codes names an enterprise of the scope."""
        return self.parties is None or any(code is not None and code in self.parties for code in codes)


EVERYTHING = Scope()


class OutOfScope(DomainError):
    """The caller may not act on that enterprise's or tenant's data."""

    code = ErrorCode.FORBIDDEN


def require_whole(scope: Scope, what_zh: str, what_en: str) -> None:
    """Refuse (403 ``AUTH-SCOPE``) an action that concerns the whole platform to a caller of part of it.

    Zone-wide records without a tenant (targets, daily jobs, the audit chain's head, feeds) belong to the hub.
    """
    if scope.unrestricted:
        return
    raise OutOfScope(
        f"{what_en} is the hub's; the caller's scope is {scope.tenant or 'its own enterprises'}",
        problems=[
            Problem(
                "AUTH-SCOPE",
                "scope",
                f"{what_zh}属于总平台，超出您的数据范围 / {what_en} concerns the whole platform, beyond your scope",
                "Ask the hub's zone office (总平台综试办) to do it.",
            )
        ],
    )
