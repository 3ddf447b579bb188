"""Languages: flask-babel with English (the source) and the guide's twenty-nine other catalogs.

The language comes from the `lang` cookie set by the switcher, else the browser's
Accept-Language (a regional variant falls back to its language: de-AT is German, pt-PT is
Portugal's Portuguese, no/nn are Norwegian Bokmål), else English. Each language has a tag (the
cookie's value and `<html lang>`), its own name for the switcher, and the Babel locale whose
catalog and number, date and currency formats it uses; ar and he are written right to left.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Flask, request
from flask_babel import Babel

from .preference_switch import back_to_the_page


@dataclass(frozen=True)
class Language:
    tag: str  # BCP 47: the cookie value and <html lang>
    name: str  # in the language itself, for the switcher
    locale: str  # the Babel locale: translations/<locale>/ and the formats
    rtl: bool = False


LANGUAGE_LIST = (
    Language("en", "English", "en"),
    Language("pt-BR", "Português (Brasil)", "pt_BR"),
    Language("es", "Español", "es"),
    Language("fr", "Français", "fr"),
    Language("it", "Italiano", "it"),
    Language("ru", "Русский", "ru"),
    Language("zh-CN", "中文（简体）", "zh_Hans_CN"),
    Language("de", "Deutsch", "de"),
    Language("hi", "हिन्दी", "hi"),
    Language("th", "ไทย", "th"),
    Language("uk", "Українська", "uk"),
    Language("ar", "العربية", "ar", rtl=True),
    Language("ja", "日本語", "ja"),
    Language("vi", "Tiếng Việt", "vi"),
    Language("bg", "Български", "bg"),
    Language("da", "Dansk", "da"),
    Language("fi", "Suomi", "fi"),
    Language("he", "עברית", "he", rtl=True),
    Language("hu", "Magyar", "hu"),
    Language("id", "Bahasa Indonesia", "id"),
    Language("ko", "한국어", "ko"),
    Language("ms", "Bahasa Melayu", "ms"),
    Language("nl", "Nederlands", "nl"),
    Language("nb", "Norsk bokmål", "nb"),
    Language("pt", "Português (Portugal)", "pt_PT"),
    Language("ro", "Română", "ro"),
    Language("pl", "Polski", "pl"),
    Language("sk", "Slovenčina", "sk"),
    Language("sv", "Svenska", "sv"),
    Language("fil", "Filipino", "fil"),
)
LANGUAGES = {language.tag: language for language in LANGUAGE_LIST}
ENGLISH = LANGUAGES["en"]
LANG_COOKIE = "lang"
# Accept-Language tags answered by another language's catalog (matched case-insensitively).
ALIASES = {"no": "nb", "nn": "nb", "zh": "zh-CN", "zh-hans": "zh-CN", "zh-sg": "zh-CN",
           "tl": "fil", "iw": "he", "in": "id"}  # fmt: skip
_BY_LOWER = {tag.lower(): tag for tag in LANGUAGES}
bp = Blueprint("i18n", __name__)


def language_for_tag(tag: str) -> Language | None:
    """The language a browser's tag asks for: exact, an alias, else its primary subtag."""
    lowered = tag.strip().lower().replace("_", "-")
    for candidate in (lowered, lowered.split("-", 1)[0]):
        found = _BY_LOWER.get(candidate) or ALIASES.get(candidate)
        if found:
            return LANGUAGES[found]
    return None


def current_language() -> Language:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return LANGUAGES[chosen]
    for tag, _quality in request.accept_languages:  # already best first
        language = language_for_tag(tag)
        if language is not None:
            return language
    return ENGLISH


def select_locale() -> str:
    return current_language().locale


def init_i18n(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def languages():
        language = current_language()
        return {
            "languages": LANGUAGES,
            "current_language": language.tag,
            "text_direction": "rtl" if language.rtl else "ltr",
        }


@bp.post("/language")
def set_language():
    choice = request.form.get("lang", "en")
    return back_to_the_page(LANG_COOKIE, choice if choice in LANGUAGES else None)
