"""Rules every stored declaration follows, import or export (申报类型规则): R11/R12 and acting on an original.

They are intake's now (``cbec.intake.declarations``), shared by the import processor and the export one.
"""

from __future__ import annotations

from cbec.intake import change_problems as change_problems
from cbec.intake import original_problems as original_problems
