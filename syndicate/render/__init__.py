"""Pure renderers: articles and configuration in, bytes out. No files, no network.

The version of each kind of output's renderers. A change of a renderer that changes its output
bytes must bump its kind's number here: the next run then renders every file of that kind again,
and no other kind (syndicate/kinds.py). A helper that several kinds share (feeds.FeedSpec,
meta.lead_image) bumps every kind whose bytes it changes. Kept here rather than in each module
so that a run with nothing to render imports no renderer (feedgen, lxml).
"""

FEEDS_VERSION = 2  # feeds.py, opml.py, stylesheet.py and feed.xsl: rss.xml atom.xml feed.json
# (2: the current feeds link their newest archive)
ARCHIVES_VERSION = 1  # archives.py and feeds.History: <feed>/archive/YYYY-MM.*
ARTICLES_VERSION = 1  # meta.py, share.py and tweet.py: articles/<id>.json and .html
PAGES_VERSION = 1  # page.py and page.css: the index.html beside each feed
SITEMAPS_VERSION = 1  # sitemap.py: sitemaps/*.xml
PARTNERS_VERSION = 1  # partners/: partners/<name>/...
