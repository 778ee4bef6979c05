// A plain text table whose columns are as wide as their widest cell. Colour codes are kept out
// of the width computation so coloured and plain output line up the same.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace nswatch {

struct Cell {
    std::string text;         ///< what is shown
    const char* colour = "";  ///< ANSI escape to wrap the text in, "" for none
};

class TextTable {
  public:
    explicit TextTable(std::vector<std::string> headers);
    void add_row(std::vector<Cell> row);
    /// Print with `indent` leading spaces and two spaces between columns.
    void print(std::ostream& out, const std::string& indent = "  ") const;

  private:
    std::vector<std::string> headers_;
    std::vector<std::vector<Cell>> rows_;
};

}  // namespace nswatch
