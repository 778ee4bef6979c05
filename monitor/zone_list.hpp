// ZoneList: the zones of a Snapshot, held by shared pointer so that publishing a snapshot shares
// each zone's state with the tracker that built it instead of copying it. Copying every zone's
// state per publish would keep three to four copies of every target alive (tracker, old snapshot,
// new snapshot), most of the daemon's memory at 1,000 zones.
//
// Reads look like a std::vector<ZoneState> (iteration and [] yield const ZoneState&). Writes are
// copy-on-write: a non-const [] or back() first copies a zone some other list also holds, so a
// test that builds and edits a snapshot never changes one somebody else published.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

namespace nswatch {

template <typename T>
class SharedList {
    using Ptr = std::shared_ptr<const T>;
    using Base = typename std::vector<Ptr>::const_iterator;

  public:
    using value_type = T;
    using size_type = size_t;

    /// Random access over the list, yielding const T&.
    class const_iterator {
      public:
        using iterator_category = std::random_access_iterator_tag;
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        using pointer = const T*;
        using reference = const T&;

        const_iterator() = default;
        explicit const_iterator(Base it) : it_(it) {}
        reference operator*() const { return **it_; }
        pointer operator->() const { return it_->get(); }
        reference operator[](difference_type n) const { return *it_[n]; }
        const_iterator& operator++() {
            ++it_;
            return *this;
        }
        const_iterator operator++(int) {
            auto old = *this;
            ++it_;
            return old;
        }
        const_iterator& operator--() {
            --it_;
            return *this;
        }
        const_iterator operator--(int) {
            auto old = *this;
            --it_;
            return old;
        }
        const_iterator& operator+=(difference_type n) {
            it_ += n;
            return *this;
        }
        const_iterator& operator-=(difference_type n) {
            it_ -= n;
            return *this;
        }
        friend const_iterator operator+(const_iterator a, difference_type n) { return a += n; }
        friend const_iterator operator+(difference_type n, const_iterator a) { return a += n; }
        friend const_iterator operator-(const_iterator a, difference_type n) { return a -= n; }
        friend difference_type operator-(const const_iterator& a, const const_iterator& b) {
            return a.it_ - b.it_;
        }
        auto operator<=>(const const_iterator&) const = default;
        bool operator==(const const_iterator&) const = default;
        Base base() const { return it_; }

      private:
        Base it_{};
    };
    using iterator = const_iterator;

    SharedList() = default;
    SharedList(std::initializer_list<T> items) {
        for (const auto& t : items) push_back(t);
    }

    size_t size() const { return items_.size(); }
    bool empty() const { return items_.empty(); }
    void reserve(size_t n) { items_.reserve(n); }
    void clear() { items_.clear(); }

    const_iterator begin() const { return const_iterator(items_.begin()); }
    const_iterator end() const { return const_iterator(items_.end()); }

    const T& operator[](size_t i) const { return *items_[i]; }
    const T& front() const { return *items_.front(); }
    const T& back() const { return *items_.back(); }
    /// Writable access: copies the item first when another list shares it.
    T& operator[](size_t i) { return own(items_[i]); }
    T& back() { return own(items_.back()); }

    void push_back(T item) { items_.push_back(std::make_shared<T>(std::move(item))); }
    /// Share an item without copying it. The caller must not change it afterwards.
    void push_back(Ptr item) { items_.push_back(std::move(item)); }
    void insert(const_iterator pos, T item) {
        items_.insert(items_.begin() + (pos - begin()), std::make_shared<T>(std::move(item)));
    }
    /// The shared pointers themselves (to sort or share them without copying items).
    std::vector<Ptr>& pointers() { return items_; }
    const std::vector<Ptr>& pointers() const { return items_; }

  private:
    static T& own(Ptr& p) {
        // Every item was created non-const by make_shared (here or by its producer), so a sole
        // owner may write it; a shared one is copied first.
        if (p.use_count() > 1) p = std::make_shared<T>(*p);
        return const_cast<T&>(*p);
    }

    std::vector<Ptr> items_;
};

}  // namespace nswatch
