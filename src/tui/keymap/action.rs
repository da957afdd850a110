//! What a key (or a `:` command) does, and where.

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Global,
    Queue,
    Case,
    Message,
    Roster,
    Log,
    Coverage,
    Messages,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Queue => "queue",
            Scope::Case => "case",
            Scope::Message => "message",
            Scope::Roster => "roster",
            Scope::Log => "log",
            Scope::Coverage => "coverage",
            Scope::Messages => "messages",
        }
    }
}

/// What a key does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Down,
    Up,
    Top,
    Bottom,
    HalfPageDown,
    HalfPageUp,
    PageDown,
    PageUp,
    Open,
    Back,
    Search,
    NextMatch,
    PrevMatch,
    CommandLine,
    Help,
    Quit,
    ShowQueue,
    ShowRoster,
    ShowLog,
    ShowCoverage,
    ShowMessages,
    NextView,
    ShowNotifications,
    Approve,
    Reject,
    Chase,
    Invite,
    Assign,
    EditContacts,
    AskAdmin,
    RemoveMember,
    Dismiss,
    Confirm,
    Reconfirm,
    PollNow,
    ToggleHeaders,
    FilterRegion,
    FilterState,
    FilterVerdict,
    Redraw,
    Suspend,
    /// Sends an interrupted mail again (the receiver may get it twice).
    ResendMail,
    /// Records an interrupted mail as sent.
    MarkMailSent,
}

impl Action {
    /// The name used in `[keys.<view>]` overrides.
    pub fn name(self) -> &'static str {
        match self {
            Action::Down => "down",
            Action::Up => "up",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::HalfPageDown => "half_page_down",
            Action::HalfPageUp => "half_page_up",
            Action::PageDown => "page_down",
            Action::PageUp => "page_up",
            Action::Open => "open",
            Action::Back => "back",
            Action::Search => "search",
            Action::NextMatch => "next_match",
            Action::PrevMatch => "prev_match",
            Action::CommandLine => "command_line",
            Action::Help => "help",
            Action::Quit => "quit",
            Action::ShowQueue => "show_queue",
            Action::ShowRoster => "show_roster",
            Action::ShowLog => "show_log",
            Action::ShowCoverage => "show_coverage",
            Action::ShowMessages => "show_messages",
            Action::NextView => "next_view",
            Action::ShowNotifications => "show_notifications",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Chase => "chase",
            Action::Invite => "invite",
            Action::Assign => "assign",
            Action::EditContacts => "edit_contacts",
            Action::AskAdmin => "ask_admin",
            Action::RemoveMember => "remove_member",
            Action::Dismiss => "dismiss",
            Action::Confirm => "confirm",
            Action::Reconfirm => "reconfirm",
            Action::PollNow => "poll_now",
            Action::ToggleHeaders => "toggle_headers",
            Action::FilterRegion => "filter_region",
            Action::FilterState => "filter_state",
            Action::FilterVerdict => "filter_verdict",
            Action::Redraw => "redraw",
            Action::Suspend => "suspend",
            Action::ResendMail => "resend",
            Action::MarkMailSent => "mark_sent",
        }
    }

    /// Short forms the `:` command line takes besides the name (`:q`, `:poll`, `:roster`).
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Action::Quit => &["q"],
            Action::PollNow => &["poll"],
            Action::ShowQueue => &["queue"],
            Action::ShowRoster => &["roster"],
            Action::ShowLog => &["log"],
            Action::ShowCoverage => &["coverage"],
            Action::ShowMessages => &["messages"],
            Action::ShowNotifications => &["notifications"],
            Action::RemoveMember => &["remove"],
            _ => &[],
        }
    }

    /// What the `:` command takes after the name, as help writes it; without it the command
    /// acts on the selected item, as the key does.
    pub fn args(self) -> &'static str {
        match self {
            Action::Approve | Action::Chase | Action::Invite => "[TLD]",
            Action::EditContacts | Action::Confirm | Action::Reconfirm => "[TLD]",
            Action::Reject => "[TLD [REASON…]]",
            Action::Assign => "[#ID TLD]",
            Action::Dismiss => "[#ID [REASON…]]",
            Action::RemoveMember => "[#ID]",
            Action::ResendMail | Action::MarkMailSent => "[MESSAGE-ID]",
            Action::Open => "[TLD | #ID]",
            _ => "",
        }
    }

    /// The command line's form of it: `:approve [TLD]`.
    pub fn command(self) -> String {
        match self.args() {
            "" => format!(":{}", self.name()),
            args => format!(":{} {args}", self.name()),
        }
    }
}
