"""The AI-models admin (/admin/ai_models): every configured model in one table, backed by the
Providers page's accounts, provider nodes and custom models (no store of its own)."""
