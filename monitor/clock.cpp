#include "monitor/clock.hpp"

namespace nswatch {

namespace {
class SystemClocks final : public Clock {
  public:
    Steady::time_point steady() const override { return Steady::now(); }
    Wall::time_point wall() const override { return Wall::now(); }
};
}  // namespace

const Clock& system_clocks() {
    static const SystemClocks clocks;
    return clocks;
}

}  // namespace nswatch
