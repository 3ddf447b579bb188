"""The configuration bundle (omniroute/sync/config_bundle.py) on a real SQLite store: what it
holds (never a secret), a round trip into another store with another storage key, credentials
kept for matching accounts, new accounts marked "key needed", versions, and bad bundles refused
without any change."""

from __future__ import annotations

import copy
import json
import os

import pytest

from omniroute.providers import PROVIDERS
from omniroute.providers.model_lists import ListedId
from omniroute.proxies.config import ProxyConfig, ProxySettings
from omniroute.proxies.store import load_proxy_settings, save_proxy_settings
from omniroute.routing.chains import FallbackChain
from omniroute.routing.combos import Combo, ComboTarget
from omniroute.routing.policy import RoutingPolicy
from omniroute.store import connections, provider_nodes
from omniroute.store.app_settings import save_routing_policy
from omniroute.store.combos import create_combo
from omniroute.store.database import open_database
from omniroute.store.fallback_chains import put_chain
from omniroute.store.migrations import migrate
from omniroute.store.model_aliases import put_alias
from omniroute.store.oauth_accounts import TokenSet, read_account, save_account
from omniroute.store.pricing import put_price
from omniroute.store.provider_models import list_provider_models, merge_with_catalog
from omniroute.store.secret_box import SecretBox
from omniroute.store.synced_models import merge_listed
from omniroute.sync.accounts_section import KEY_NEEDED, identities
from omniroute.sync.config_bundle import (
    BundleError,
    apply_config_bundle,
    bundle_etag,
    config_bundle,
)
from omniroute.usage.pricing import PriceOverride

PROVIDER_KEY = "sk-provider-secret-0001"
NODE_KEY = "node-secret-key-0002"
PROXY_PASSWORD = "proxy-secret-pass-3"


class Host:
    """What apply_config_bundle needs of a running gateway: its box, database and reload()."""

    def __init__(self, path):
        self.database = open_database(f"sqlite:///{path}")
        migrate(self.database)
        self.box = SecretBox(os.urandom(32))  # each instance its own storage key
        self.reloads = 0

    def reload(self) -> None:
        self.reloads += 1

    def bundle(self) -> dict:
        with self.database.connection_context():
            return config_bundle(self)

    def apply(self, bundle: dict) -> None:
        apply_config_bundle(bundle, self)

    def dump_tables(self) -> dict:
        """Every row of every table except the bookkeeping ones, to prove nothing changed."""
        with self.database.connection_context():
            tables = [
                name
                for (name,) in self.database.execute_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            ]
            return {
                table: sorted(map(repr, self.database.execute_sql(f'SELECT * FROM "{table}"')))
                for table in tables
            }


@pytest.fixture
def publisher(tmp_path):
    host = Host(tmp_path / "a.db")
    with host.database.connection_context():
        connections.create_connection(
            host.box, api_key=PROVIDER_KEY, provider="openai", name="work", priority=2
        )
        connections.create_connection(
            host.box, api_key="sk-other-secret-0003", provider="anthropic", name="home"
        )
        provider_nodes.create_node(
            host.box,
            api_key=NODE_KEY,
            name="office vllm",
            prefix="office",
            base_url="http://10.0.0.5:8000/v1",
            api_type="openai",
        )
        create_combo(Combo("coding", (ComboTarget("openai/gpt-4o", 1),), "priority"))
        put_alias("fast", "openai/gpt-4o-mini")
        put_chain(FallbackChain("gpt-4o", ("anthropic/claude-sonnet-4-5",), "main"))
        put_price(PriceOverride("openai", "gpt-4o", 2.0, 8.0))
        save_routing_policy(RoutingPolicy())
        save_proxy_settings(
            ProxySettings(
                global_proxy=ProxyConfig("http", "proxy.lan", 3128, "me", PROXY_PASSWORD)
            ),
            host.box,
        )
    yield host
    host.database.close_all()


@pytest.fixture
def subscriber(tmp_path):
    host = Host(tmp_path / "b.db")
    yield host
    host.database.close_all()


def test_the_bundle_holds_the_configuration_and_no_secret(publisher):
    bundle = publisher.bundle()
    text = json.dumps(bundle)
    for secret in (PROVIDER_KEY, NODE_KEY, PROXY_PASSWORD, "sk-other-secret-0003", "0001"):
        assert secret not in text
    assert "v1:" not in text  # no sealed value either
    assert bundle["schema"] == 1 and bundle["version"] > 0
    assert [a["identity"] for a in bundle["providers"]] == ["openai:work", "anthropic:home"]
    assert bundle["providerNodes"][0] == {
        "prefix": "office",
        "name": "office vllm",
        "baseUrl": "http://10.0.0.5:8000/v1",
        "apiType": "openai",
        "isActive": True,
        "hasApiKey": True,
    }
    assert bundle["combos"][0]["name"] == "coding"
    assert bundle["modelAliases"] == [{"pattern": "fast", "target": "openai/gpt-4o-mini"}]
    assert bundle["proxies"]["global"]["hasPassword"] is True
    assert set(bundle["settings"]) >= {"routing", "resilience", "ai", "ipAccess"}


def test_the_version_moves_only_when_the_content_changes(publisher):
    first = publisher.bundle()
    assert publisher.bundle()["version"] == first["version"]
    assert bundle_etag(publisher.bundle()) == bundle_etag(first)
    with publisher.database.connection_context():
        put_alias("slow", "anthropic/claude-opus-4-1")
    second = publisher.bundle()
    assert second["version"] > first["version"]
    assert bundle_etag(second) != bundle_etag(first)


def test_a_round_trip_gives_the_same_configuration(publisher, subscriber):
    bundle = publisher.bundle()
    subscriber.apply(bundle)
    assert subscriber.reloads == 1
    copied = subscriber.bundle()
    for section in ("providerModels", "combos", "modelAliases", "fallbackChains", "prices"):
        assert copied[section] == bundle[section], section
    node_fields = ("prefix", "name", "baseUrl", "apiType")
    assert [{f: n[f] for f in node_fields} for n in copied["providerNodes"]] == [
        {f: n[f] for f in node_fields} for n in bundle["providerNodes"]
    ]
    assert copied["settings"] == bundle["settings"]
    assert [a["identity"] for a in copied["providers"]] == ["openai:work", "anthropic:home"]
    assert copied["proxies"]["global"]["host"] == "proxy.lan"


def test_new_accounts_arrive_switched_off_and_marked_key_needed(publisher, subscriber):
    subscriber.apply(publisher.bundle())
    with subscriber.database.connection_context():
        records = connections.list_connections()
        assert {r.name for r in records} == {"work", "home"}
        for record in records:
            assert record.is_active is False
            assert record.last_test_ok is False and record.last_test_error == KEY_NEEDED
            assert record.api_key_hint == ""
        active = connections.load_active_connections(subscriber.box)
        nodes = provider_nodes.list_nodes()
    assert active == ()  # nothing routes to an account without its key
    assert [(n.prefix, n.is_active, n.has_api_key) for n in nodes] == [("office", False, False)]


def test_matching_accounts_keep_their_own_credentials(publisher, subscriber):
    with subscriber.database.connection_context():
        mine = connections.create_connection(
            subscriber.box, api_key="sk-subscriber-own-9999", provider="openai", name="work"
        )
        save_proxy_settings(
            ProxySettings(global_proxy=ProxyConfig("http", "old.lan", 8080, "me", "local-pass")),
            subscriber.box,
        )
    subscriber.apply(publisher.bundle())
    with subscriber.database.connection_context():
        kept = connections.load_credentials(subscriber.box, mine.id)
        record = connections.get_connection(mine.id)
        proxy = load_proxy_settings(subscriber.box).global_proxy
    assert kept is not None and kept.api_key == "sk-subscriber-own-9999"
    assert record is not None and record.is_active and record.priority == 2
    assert record.last_test_error is None
    assert proxy is not None and (proxy.host, proxy.password) == ("proxy.lan", "local-pass")


def test_configuration_missing_from_the_bundle_is_removed(publisher, subscriber):
    with subscriber.database.connection_context():
        put_alias("local-only", "openai/gpt-4o")
        connections.create_connection(
            subscriber.box, api_key="sk-gone-000000", provider="groq", name="spare"
        )
    subscriber.apply(publisher.bundle())
    copied = subscriber.bundle()
    assert [a["pattern"] for a in copied["modelAliases"]] == ["fast"]
    assert "groq:spare" not in [a["identity"] for a in copied["providers"]]


def _broken(bundle: dict, change) -> dict:
    broken = copy.deepcopy(bundle)
    change(broken)
    return broken


BAD_BUNDLES = {
    "schema": (lambda b: b.update(schema=99), "schema"),
    "version": (lambda b: b.update(version="new"), "version"),
    "unknown provider": (lambda b: b["providers"][0].update(provider="nope"), "providers[0]"),
    "identity": (lambda b: b["providers"][1].update(identity="x:y"), "providers[1].identity"),
    "combo cycle": (
        lambda b: b["combos"].append(
            {
                "name": "loop",
                "strategy": "priority",
                "targets": [{"model": "loop", "weight": 1}],
                "systemPrompt": None,
            }
        ),
        "combos",
    ),  # fmt: skip
    "strategy": (lambda b: b["combos"][0].update(strategy="fastest"), "combos[0].strategy"),
    "price": (lambda b: b["prices"][0].update(input=-1), "prices[0].input"),
    "setting": (lambda b: b["settings"]["ai"].update(thinking="always-ish"), "settings.ai"),
    "ip rule": (lambda b: b["settings"]["ipAccess"].update(v1=5), "settings.ipAccess"),
    "proxy password": (
        lambda b: b["proxies"]["global"].update(password="x"),
        "proxies.global.password",
    ),
    "node url": (lambda b: b["providerNodes"][0].update(baseUrl="ftp://x"), "providerNodes[0]"),
    "duplicate alias": (lambda b: b["modelAliases"].append(b["modelAliases"][0]), "modelAliases"),
    "not a list": (lambda b: b.update(combos={}), "combos"),
}


@pytest.mark.parametrize("case", sorted(BAD_BUNDLES))
def test_a_bad_bundle_is_refused_and_changes_nothing(publisher, subscriber, case):
    change, field = BAD_BUNDLES[case]
    with subscriber.database.connection_context():
        put_alias("local-only", "openai/gpt-4o")
        connections.create_connection(
            subscriber.box, api_key="sk-subscriber-own-9999", provider="openai", name="work"
        )
    before = subscriber.dump_tables()
    with pytest.raises(BundleError) as refused:
        subscriber.apply(_broken(publisher.bundle(), change))
    assert refused.value.field.startswith(field)
    assert subscriber.dump_tables() == before
    assert subscriber.reloads == 0


@pytest.mark.parametrize("bundle", [None, [], "text", {"schema": 1}])
def test_what_is_not_a_bundle_is_refused(subscriber, bundle):
    before = subscriber.dump_tables()
    with pytest.raises(BundleError):
        subscriber.apply(bundle)
    assert subscriber.dump_tables() == before


def test_a_local_server_account_needs_no_key_and_arrives_as_it_is(publisher, subscriber):
    with publisher.database.connection_context():
        connections.create_connection(
            publisher.box, api_key="", provider="ollama-local", name="desk"
        )
    subscriber.apply(publisher.bundle())
    with subscriber.database.connection_context():
        active = connections.load_active_connections(subscriber.box)
    assert [(a.provider, a.name, a.api_key) for a in active] == [("ollama-local", "desk", "")]


def test_identities_tell_accounts_apart():
    assert identities(
        [
            ("openai", "api_key", "work", None),
            ("openai", "api_key", "work", None),
            ("codex", "oauth", "Codex", "me@example.com"),
            ("codex", "oauth", "Codex", "you@example.com"),
            ("codex", "oauth", "Codex", None),
        ]
    ) == [
        "openai:work",
        "openai:work#2",
        "codex:me@example.com",
        "codex:you@example.com",
        "codex:Codex",
    ]


def test_signed_in_accounts_keep_their_tokens_or_arrive_asking_for_a_sign_in(publisher, subscriber):
    with publisher.database.connection_context():
        for account in ("me@example.com", "new@example.com"):
            save_account(
                publisher.box,
                provider="codex",
                account=account,
                tokens=TokenSet("access-a-secret", "refresh-a-secret"),
            )
    with subscriber.database.connection_context():
        mine = save_account(
            subscriber.box,
            provider="codex",
            account="me@example.com",
            tokens=TokenSet("access-b-own", "refresh-b-own"),
        )
    bundle = publisher.bundle()
    assert "access-a-secret" not in json.dumps(bundle)
    subscriber.apply(bundle)
    with subscriber.database.connection_context():
        kept = read_account(subscriber.box, mine)
        arrived = [
            r for r in connections.list_connections() if r.account_label == "new@example.com"
        ]
    assert kept is not None and kept.tokens.access_token == "access-b-own"
    assert kept.sign_in_state == "ok"
    assert [(r.is_active, r.sign_in_state, r.sign_in_reason) for r in arrived] == [
        (False, "sign_in_again", KEY_NEEDED)
    ]


def _synced_models(host: Host) -> None:
    """A sync of openai found fresh-1 and old-1; the next one no longer found old-1."""
    openai = PROVIDERS["openai"]
    with host.database.connection_context():
        merge_listed(openai, [ListedId("fresh-1"), ListedId("old-1")])
        merge_listed(openai, [ListedId("fresh-1")])


def _sync_state(host: Host) -> dict[str, tuple[bool, bool]]:
    """Each custom openai model: (synced, retired), as the gateway offers them."""
    with host.database.connection_context():
        listed = merge_with_catalog(PROVIDERS["openai"], list_provider_models("openai"))
    return {m.spec.id: (m.synced, m.retired) for m in listed if m.custom}


def test_synced_and_retired_models_keep_their_sync_state_across_a_bundle(publisher, subscriber):
    _synced_models(publisher)
    bundle = publisher.bundle()
    rows = {row["modelId"]: row for row in bundle["providerModels"]}
    assert rows["fresh-1"]["source"] == "synced" and rows["fresh-1"]["retiredAt"] is None
    assert rows["old-1"]["retiredAt"].endswith("Z") and rows["old-1"]["syncedAt"].endswith("Z")
    subscriber.apply(bundle)
    assert _sync_state(subscriber) == {"fresh-1": (True, False), "old-1": (True, True)}
    assert subscriber.bundle()["providerModels"] == bundle["providerModels"]


def test_a_bundle_without_sync_state_imports_its_models_as_the_users(publisher, subscriber):
    _synced_models(publisher)
    bundle = publisher.bundle()
    for row in bundle["providerModels"]:  # as an older gateway wrote them
        for name in ("source", "syncedAt", "retiredAt"):
            del row[name]
    subscriber.apply(bundle)
    assert _sync_state(subscriber) == {"fresh-1": (False, False), "old-1": (False, False)}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"source": "robot"}, "providerModels[0].source"),
        ({"syncedAt": "yesterday"}, "providerModels[0].syncedAt"),
        ({"retiredAt": 1700000000}, "providerModels[0].retiredAt"),
        ({"source": "user"}, "providerModels[0].syncedAt"),  # a user's model has no sync times
    ],
)
def test_bad_sync_state_is_refused_and_changes_nothing(publisher, subscriber, change, field):
    _synced_models(publisher)
    bundle = publisher.bundle()
    bundle["providerModels"][0].update(change)
    before = subscriber.dump_tables()
    with pytest.raises(BundleError) as refused:
        subscriber.apply(bundle)
    assert refused.value.field == field
    assert subscriber.dump_tables() == before
