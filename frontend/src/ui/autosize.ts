/** A Svelte action: a textarea that grows with its text (pass the text so it re-measures). */
export function autosize(node: HTMLTextAreaElement, _value: string) {
  const fit = () => {
    node.style.height = 'auto';
    node.style.height = `${node.scrollHeight + 2}px`;
  };
  fit();
  // Re-measure when the width changes (rotation, window resize).
  let width = node.clientWidth;
  const observer = new ResizeObserver(() => {
    if (node.clientWidth !== width) {
      width = node.clientWidth;
      fit();
    }
  });
  observer.observe(node);
  return {
    update(_next: string) {
      fit();
    },
    destroy() {
      observer.disconnect();
    },
  };
}
