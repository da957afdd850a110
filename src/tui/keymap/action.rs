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
        }
    }
}
