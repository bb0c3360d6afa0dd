"""The donation thank-you certificate (捐赠证书) as a DOCX document (python-docx). The HTML
print page renders the same values (`certificate_values`)."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from shufang.acquisitions.models import Donation, DonationDecision


def certificate_values(donation: Donation) -> dict[str, Any]:
    items = list(donation.items.all())
    accepted = [i for i in items if i.decision != DonationDecision.DECLINED]
    return {
        "number": donation.certificate_number,
        "donor": donation.donor.display_name,
        "library": donation.library.name,
        "received_on": donation.received_on,
        "titles": len(accepted),
        "copies": sum(i.copies for i in accepted),
        "items": accepted,
    }


def certificate_docx(donation: Donation) -> bytes:
    """A one-page certificate in the site language."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    values = certificate_values(donation)
    with translation.override(settings.LANGUAGE_CODE):
        document = Document()
        heading = document.add_heading(gettext("Certificate of donation"), level=0)
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        document.add_paragraph(
            gettext("No. %(number)s") % values
        ).alignment = WD_ALIGN_PARAGRAPH.RIGHT
        body = document.add_paragraph()
        run = body.add_run(
            gettext(
                "%(donor)s donated %(titles)s titles (%(copies)s copies) to %(library)s on "
                "%(date)s. We thank you sincerely for supporting reading in our city."
            )
            % {**values, "date": values["received_on"].isoformat()}
        )
        run.font.size = Pt(14)
        table = document.add_table(rows=1, cols=3)
        header = table.rows[0].cells
        header[0].text = gettext("Title")
        header[1].text = gettext("Copies")
        header[2].text = gettext("Condition")
        for item in values["items"]:
            cells = table.add_row().cells
            cells[0].text = item.title
            cells[1].text = str(item.copies)
            cells[2].text = str(item.get_condition_display())
        signature = document.add_paragraph(values["library"])
        signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
