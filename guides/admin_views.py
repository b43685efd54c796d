"""Wagtail's page create view, made safe for the same new page posted twice."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.admin.views.pages.create import CreateView
from wagtail.admin.views.pages.edit import EditView
from wagtail.models import PageLogEntry

# Long enough for any request that was on its way when the page was created.
JUST_CREATED = timedelta(minutes=5)


class CreatePageView(CreateView):
    """The editor's form posts here until the first autosave's answer points it at the
    edit view. Publish pressed meanwhile, or twice on a slow server, posts it here again,
    for a page that now exists: Wagtail refused its slug as taken, or, when both posts had
    passed validation before either saved, raised at add_child (a 500, leaving the
    parent's child count one too high). Here a form post for a page this editor created
    here minutes ago goes to that page's edit view, which publishes (or saves, or
    submits) it; any other clash is reported beside the slug field.
    """

    def post(self, request):
        if page := self.page_this_editor_just_created():
            return self.edit(page)
        return super().post(request)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ValidationError as error:
            # Checked by the form, so taken since by a request that was in flight.
            if "slug" not in getattr(error, "error_dict", {}):
                raise
            if page := self.page_this_editor_just_created():
                return self.edit(page)
            form.add_error("slug", error.error_dict["slug"])
            return self.form_invalid(form)

    def page_this_editor_just_created(self):
        """The page at the posted slug that this editor created here within minutes; not
        for autosave, whose next post goes to the edit view once its first has answered."""
        slug = self.request.POST.get("slug")
        if self.expects_json_response or not slug:
            return None
        page = self.parent_page.get_children().filter(slug=slug).first()
        if page is None or page.content_type_id != self.page_content_type.pk:
            return None
        created = PageLogEntry.objects.filter(
            page=page,
            action="wagtail.create",
            user=self.request.user,
            timestamp__gte=timezone.now() - JUST_CREATED,
        )
        return page if created.exists() else None

    def edit(self, page):
        return EditView.as_view()(self.request, page_id=page.pk)
