import Markdown from "react-markdown";

// A plugin's README, written by a third party, shown safely: Markdown to React elements only. Raw HTML
// in it is dropped (skipHtml), links keep only http(s) and mailto targets, images are not loaded (a
// README cannot make the dashboard fetch from anywhere), and headings start below the page's own.

const SAFE_URL = /^(https?:|mailto:)/i;

export function Readme({ source }: { source: string }) {
  if (!source.trim()) return <p className="muted small">This plugin has no README.</p>;
  return (
    <div className="readme" data-readme="">
      <Markdown
        skipHtml
        urlTransform={(url) => (SAFE_URL.test(url) ? url : "")}
        components={{
          h1: ({ children }) => <h3>{children}</h3>,
          h2: ({ children }) => <h4>{children}</h4>,
          h3: ({ children }) => <h5>{children}</h5>,
          img: ({ alt }) => <span className="muted">[image: {alt ?? ""}]</span>,
          a: ({ href, children }) =>
            href ? (
              <a href={href} rel="noopener noreferrer nofollow" target="_blank">
                {children}
              </a>
            ) : (
              <span>{children}</span>
            ),
        }}
      >
        {source}
      </Markdown>
    </div>
  );
}
