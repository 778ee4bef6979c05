#include "cli/table.hpp"

#include <algorithm>

namespace nswatch {

TextTable::TextTable(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void TextTable::add_row(std::vector<Cell> row) {
    row.resize(headers_.size());
    rows_.push_back(std::move(row));
}

void TextTable::print(std::ostream& out, const std::string& indent) const {
    std::vector<size_t> width(headers_.size());
    for (size_t c = 0; c < headers_.size(); ++c) width[c] = headers_[c].size();
    for (const auto& row : rows_) {
        for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].text.size());
    }
    auto line = [&](auto cell_at) {
        out << indent;
        for (size_t c = 0; c < headers_.size(); ++c) {
            const Cell cell = cell_at(c);
            const bool last = c + 1 == headers_.size();
            const bool coloured = cell.colour[0] != '\0';
            out << (coloured ? cell.colour : "") << cell.text << (coloured ? "\033[0m" : "");
            if (!last) out << std::string(width[c] - cell.text.size() + 2, ' ');
        }
        out << "\n";
    };
    line([&](size_t c) { return Cell{headers_[c], ""}; });
    for (const auto& row : rows_) line([&](size_t c) { return row[c]; });
}

}  // namespace nswatch
