// names.h: one table read both ways, and the error that lists the choices.
#include "loralab/names.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace loralab {
namespace {

enum class Fruit { Apple, Pear, Plum };

constexpr Named<Fruit> kFruits[] = {
    {Fruit::Apple, "apple"}, {Fruit::Pear, "pear"}, {Fruit::Plum, "plum"}};
constexpr Named<Fruit> kOne[] = {{Fruit::Pear, "pear"}};
constexpr Named<Fruit> kTwo[] = {{Fruit::Pear, "pear"}, {Fruit::Plum, "plum"}};

TEST(Names, EveryValueRoundTripsThroughItsName) {
    for (const Named<Fruit>& entry : kFruits) {
        EXPECT_STREQ(nameIn(kFruits, entry.value), entry.name);
        EXPECT_EQ(parseIn(kFruits, entry.name, "fruit"), entry.value);
    }
}

TEST(Names, AValueOutsideTheTableHasNoName) {
    EXPECT_STREQ(nameIn(kOne, Fruit::Apple), "?");
    EXPECT_STREQ(nameIn(kFruits, static_cast<Fruit>(7)), "?");
}

TEST(Names, ChoicesReadAsASentence) {
    EXPECT_EQ(choiceList(kOne), "pear");
    EXPECT_EQ(choiceList(kTwo), "pear or plum");
    EXPECT_EQ(choiceList(kFruits), "apple, pear or plum");
}

TEST(Names, AnUnknownNameIsRefusedListingTheChoices) {
    for (const char* bad : {"", "Apple", "apple ", "kiwi"}) {
        try {
            parseIn(kFruits, bad, "fruit");
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const std::invalid_argument& e) {
            EXPECT_EQ(std::string(e.what()), std::string("fruit: '") + bad +
                                                 "' is unknown; choose apple, pear or plum");
        }
    }
}

}  // namespace
}  // namespace loralab
