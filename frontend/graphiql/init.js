// Mounts GraphiQL on the same origin's /graphql and /graphql/ws endpoints.
(function () {
  var origin = window.location.origin;
  var fetcher = GraphiQL.createFetcher({
    url: origin + "/graphql",
    subscriptionUrl: origin.replace(/^http/, "ws") + "/graphql/ws",
  });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true }));
})();
