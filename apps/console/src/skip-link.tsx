/**
 * "Skip to content": focuses the page's main content. A plain `#main` link would not do: the hash
 * names the console's page, so following it would open another one.
 */
export function SkipLink() {
  return (
    <a
      className="skip"
      href="#main"
      onClick={(e) => {
        e.preventDefault();
        const main = document.getElementById('main');
        if (main === null) return;
        if (!main.hasAttribute('tabindex')) main.setAttribute('tabindex', '-1');
        main.focus();
        main.scrollIntoView();
      }}
    >
      Skip to content
    </a>
  );
}
