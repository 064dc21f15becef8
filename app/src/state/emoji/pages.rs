//! The emoji picker's pages and skin tones: Unicode's groups in CLDR order after the
//! everyday ones, and the five Fitzpatrick tones applied to every hand and person.

use super::FAVOURITES;

/// The picker's pages: everyday ones first, then Unicode's groups, each with the emoji on
/// its tab and a name in words (the tab's accessible name).
pub const CATEGORIES: [(Category, &str, &str); 10] = [
    (Category::Everyday, "🕘", "Everyday"),
    (
        Category::Group(emojis::Group::SmileysAndEmotion),
        "😀",
        "Smileys and emotion",
    ),
    (
        Category::Group(emojis::Group::PeopleAndBody),
        "👋",
        "People and body",
    ),
    (
        Category::Group(emojis::Group::AnimalsAndNature),
        "🐶",
        "Animals and nature",
    ),
    (
        Category::Group(emojis::Group::FoodAndDrink),
        "🍕",
        "Food and drink",
    ),
    (
        Category::Group(emojis::Group::TravelAndPlaces),
        "🚗",
        "Travel and places",
    ),
    (
        Category::Group(emojis::Group::Activities),
        "⚽",
        "Activities",
    ),
    (Category::Group(emojis::Group::Objects), "💡", "Objects"),
    (Category::Group(emojis::Group::Symbols), "🔣", "Symbols"),
    (Category::Group(emojis::Group::Flags), "🏁", "Flags"),
];

/// One page of the picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Category {
    /// [`FAVOURITES`].
    #[default]
    Everyday,
    /// One of Unicode's emoji groups, in CLDR order.
    Group(emojis::Group),
}

/// The skin tones offered (the five Fitzpatrick modifiers, or none: the yellow default),
/// with their names in words.
pub const TONES: [(Tone, &str); 6] = [
    (Tone(emojis::SkinTone::Default), "Default skin tone"),
    (Tone(emojis::SkinTone::Light), "Light skin tone"),
    (
        Tone(emojis::SkinTone::MediumLight),
        "Medium-light skin tone",
    ),
    (Tone(emojis::SkinTone::Medium), "Medium skin tone"),
    (Tone(emojis::SkinTone::MediumDark), "Medium-dark skin tone"),
    (Tone(emojis::SkinTone::Dark), "Dark skin tone"),
];

/// A skin tone the picker applies to every emoji that has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tone(emojis::SkinTone);

impl Default for Tone {
    fn default() -> Self {
        Self(emojis::SkinTone::Default)
    }
}

impl Tone {
    /// `emoji` in this tone, or as it is when it has no skin tones (😀, 🚀).
    pub fn apply(self, emoji: &'static str) -> &'static str {
        super::lookup(emoji)
            .and_then(|e| e.with_skin_tone(self.0))
            .map_or(emoji, emojis::Emoji::as_str)
    }

    /// A raised hand in this tone: what the tone's button shows.
    pub fn sample(self) -> &'static str {
        self.apply("✋")
    }
}

/// The emoji on `category`'s page, in `tone`.
pub fn page(category: Category, tone: Tone) -> Vec<&'static str> {
    match category {
        Category::Everyday => FAVOURITES.iter().map(|e| tone.apply(e)).collect(),
        Category::Group(group) => group.emojis().map(|e| tone.apply(e.as_str())).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_is_a_category_and_each_page_has_its_emoji() {
        assert_eq!(CATEGORIES.len(), emojis::Group::iter().count() + 1);
        for (category, tab, name) in CATEGORIES {
            let page = page(category, Tone::default());
            assert!(page.len() >= 20, "{name}: {}", page.len());
            assert!(
                category == Category::Everyday || page.contains(&tab),
                "{name}'s tab {tab} is on its page"
            );
        }
    }

    #[test]
    fn a_skin_tone_changes_hands_and_people_but_not_faces_or_things() {
        let medium = TONES[3].0;
        assert_eq!(medium.apply("👋"), "👋🏽");
        assert_eq!(medium.apply("👍"), "👍🏽");
        assert_eq!(medium.apply("😀"), "😀");
        assert_eq!(medium.apply("🚀"), "🚀");
        assert_eq!(Tone::default().apply("👋"), "👋");
        let people = page(Category::Group(emojis::Group::PeopleAndBody), medium);
        assert!(people.contains(&"👋🏽") && !people.contains(&"👋"));
        assert_eq!(TONES[5].0.sample(), "✋🏿");
    }
}
