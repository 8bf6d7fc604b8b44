import HTTPIntake
import TocsinStorage

/// The database table of seen webhook event ids is the HTTP intake's ledger (same signatures; the
/// storage target does not depend on the intake).
extension SeenWebhookEventTable: WebhookEventLedger {}
