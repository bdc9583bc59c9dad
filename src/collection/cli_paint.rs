//! ANSI colours of the cli reporter, as Newman's (`colors/safe`): grey for detail, green for
//! what passed, red (bold for a failure's number and name) for what failed. Off, every
//! function returns its text unchanged.

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Paint(pub bool);

impl Paint {
    fn wrap(self, text: &str, open: &str, close: &str) -> String {
        if self.0 {
            format!("\x1b[{open}m{text}\x1b[{close}m")
        } else {
            text.to_string()
        }
    }

    pub(super) fn gray(self, text: &str) -> String {
        self.wrap(text, "90", "39")
    }

    pub(super) fn green(self, text: &str) -> String {
        self.wrap(text, "32", "39")
    }

    pub(super) fn red(self, text: &str) -> String {
        self.wrap(text, "31", "39")
    }

    pub(super) fn red_bold(self, text: &str) -> String {
        self.red(&self.wrap(text, "1", "22"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_only_when_on() {
        assert_eq!(Paint(false).red_bold("x"), "x");
        assert_eq!(
            Paint(true).red_bold("x"),
            "\x1b[31m\x1b[1mx\x1b[22m\x1b[39m"
        );
        assert_eq!(Paint(true).gray("g"), "\x1b[90mg\x1b[39m");
    }
}
