import factory

from support_menus.models import Provider, SupportMenu


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ("code",)

    code = "jetro"
    name = "ジェトロ"


class SupportMenuFactory(factory.django.DjangoModelFactory):
    """An active menu for every stage with no restriction; pass fields to narrow it."""

    class Meta:
        model = SupportMenu
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"menu-{n:03d}")
    name = factory.Sequence(lambda n: f"テスト支援メニュー{n}")
    provider = factory.SubFactory(ProviderFactory)
    category = "hands_on"
    summary = "専門家が輸出の準備から商談まで伴走します。"
    url = "https://www.jetro.go.jp/"
    stages = factory.LazyFunction(lambda: ["preparation", "challenge", "expansion"])

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            from counselling.models import IssueTag

            self.issue_tags.set(IssueTag.objects.filter(code__in=extracted))
