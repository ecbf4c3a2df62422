<?xml version="1.0" encoding="UTF-8"?>
<!-- syndicate: how a browser shows this site's RSS and Atom feeds. Feed readers ignore it. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"
    xmlns:dc="http://purl.org/dc/elements/1.1/" exclude-result-prefixes="atom media dc">
  <xsl:output method="html" encoding="UTF-8" indent="no" doctype-system="about:legacy-compat"/>

  <xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
  <xsl:variable name="home"
      select="/rss/channel/link | /atom:feed/atom:link[@rel='alternate']/@href"/>
  <xsl:variable name="self"
      select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>
  <xsl:variable name="format">
    <xsl:choose>
      <xsl:when test="/rss">RSS 2.0</xsl:when>
      <xsl:otherwise>Atom 1.0</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <xsl:template match="/">
    <html lang="zh-TW">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <link rel="icon" href="data:,"/>
        <title><xsl:value-of select="$title"/>（訂閱源）</title>
        <style>
          body { margin: 0; font: 16px/1.6 system-ui, "Noto Sans TC", "PingFang TC",
                 "Microsoft JhengHei", sans-serif; color: #1f2328; background: #f6f8fa; }
          main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
          header.about { background: #fff; border: 1px solid #d0d7de; border-radius: 8px;
                         padding: 1rem 1.25rem; }
          h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
          .what { margin: .5rem 0; }
          .url { display: flex; gap: .5rem; margin: .75rem 0; }
          .url input { flex: 1; font: 14px ui-monospace, monospace; padding: .4rem .5rem;
                       border: 1px solid #d0d7de; border-radius: 6px; background: #f6f8fa; }
          .readers a { display: inline-block; margin: 0 .5rem .25rem 0; padding: .25rem .75rem;
                       border: 1px solid #0969da; border-radius: 999px; color: #0969da;
                       text-decoration: none; font-size: .9rem; }
          ol.items { list-style: none; padding: 0; margin: 1.5rem 0 0; }
          li.item { display: flex; gap: 1rem; background: #fff; border: 1px solid #d0d7de;
                    border-radius: 8px; padding: 1rem; margin-bottom: .75rem; }
          li.item img { width: 8rem; height: 4.2rem; object-fit: cover; border-radius: 4px;
                        flex: none; background: #eaeef2; }
          li.item h2 { font-size: 1.1rem; margin: 0 0 .25rem; }
          li.item h2 a { color: #1f2328; text-decoration: none; }
          li.item h2 a:hover { text-decoration: underline; }
          .meta { color: #57606a; font-size: .85rem; margin: 0 0 .25rem; }
          .summary { margin: 0; }
        </style>
      </head>
      <body>
        <main>
          <header class="about">
            <h1><a href="{$home}"><xsl:value-of select="$title"/></a></h1>
            <p class="what">這是「<xsl:value-of select="$title"/>」的訂閱源（<xsl:value-of
              select="$format"/>），不是一般網頁：把下面的網址貼到閱讀器（RSS reader）裡，
              就能在新文章發布時自動收到。This is a news feed: copy its address into a feed
              reader to follow new articles.</p>
            <p class="url"><input type="text" readonly="readonly" value="{$self}"
              aria-label="訂閱源網址 feed URL"/></p>
            <p class="readers">用閱讀器訂閱：
              <a href="https://feedly.com/i/subscription/feed/{$self}">Feedly</a>
              <a href="https://www.inoreader.com/?add_feed={$self}">Inoreader</a>
              <a href="feed:{$self}">其他閱讀器 (feed:)</a>
            </p>
          </header>
          <ol class="items">
            <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
          </ol>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <li class="item">
      <xsl:if test="media:thumbnail/@url">
        <img src="{media:thumbnail/@url}" alt="{media:content/media:description}"/>
      </xsl:if>
      <div>
        <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
        <p class="meta">
          <time><xsl:value-of select="pubDate"/></time>
          <xsl:for-each select="dc:creator">
            <xsl:text> · </xsl:text><xsl:value-of select="."/>
          </xsl:for-each>
        </p>
        <!-- an RSS description is HTML-escaped text: unescaped once, it is the plain text -->
        <p class="summary"><xsl:value-of select="description" disable-output-escaping="yes"/></p>
      </div>
    </li>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li class="item">
      <xsl:if test="atom:link[@rel='enclosure']/@href">
        <img src="{atom:link[@rel='enclosure']/@href}" alt=""/>
      </xsl:if>
      <div>
        <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of
          select="atom:title"/></a></h2>
        <p class="meta">
          <time datetime="{atom:published}"><xsl:value-of
            select="concat(substring(atom:published, 1, 10), ' ',
                           substring(atom:published, 12, 5))"/></time>
          <xsl:for-each select="atom:author/atom:name">
            <xsl:text> · </xsl:text><xsl:value-of select="."/>
          </xsl:for-each>
        </p>
        <p class="summary"><xsl:value-of select="atom:summary"/></p>
      </div>
    </li>
  </xsl:template>
</xsl:stylesheet>
